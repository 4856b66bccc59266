import AtriumRuntime
import Foundation

/// An in-memory `AccountDirectory` for in-process tests of one service (the integration tests use
/// the real AccountService): accounts `acct_1`…`acct_9` of `firm_test` and `acct_other` of `firm_other`, nobody assigned.
struct FixedDirectory: AccountDirectory {
    var grants: [String: AccountGrant] = Dictionary(uniqueKeysWithValues: (1...9).map { number in
        ("acct_\(number)", AccountGrant(accountID: "acct_\(number)", firmID: "firm_test", version: 1, memberIDs: [], contactIDs: []))
    } + [("acct_other", AccountGrant(accountID: "acct_other", firmID: "firm_other", version: 1, memberIDs: [], contactIDs: []))])
    var clientsMayStartChats = true

    func grant(for accountID: String) async throws -> AccountGrant? { grants[accountID] }

    func policy(of firmID: String) async throws -> FirmPolicy {
        FirmPolicy(firmID: firmID, clientsMayStartChats: clientsMayStartChats, showContentInEmails: false, reminderDays: 3,
                   reminderCount: 1, changedAt: Date())
    }
}
