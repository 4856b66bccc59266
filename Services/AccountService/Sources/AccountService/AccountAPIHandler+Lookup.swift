import AccountAPI
import AtriumRuntime
import Foundation
import OpenAPIRuntime

/// Many accounts in one request, for Atrium's services working over many at once.
extension AccountAPIHandler {
    func lookupAccounts(_ input: Operations.LookupAccounts.Input) async throws -> Operations.LookupAccounts.Output {
        try RequestScope.requireCaller().require(RequestScope.requireCaller().kind == .service, "Only Atrium's services look accounts up in bulk.")
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        guard (1...500).contains(body.accountIds.count) else { throw AccountError.invalid("accountIds names 1 to 500 accounts.") }
        let db = database.sql
        var items: [Components.Schemas.AccountDetails] = []
        for id in Set(body.accountIds).sorted() {
            guard let account = try await directory.account(id: id, on: db) else { continue }
            items.append(.init(account: account.wire, access: try await grant(of: account, on: db).wire(updatedAt: Date()),
                               contacts: try await people.linkedContacts(account: account.id, on: db).map(\.wire)))
        }
        return .ok(.init(body: .json(.init(items: items))))
    }
}
