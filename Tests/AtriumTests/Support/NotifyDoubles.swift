import AtriumRuntime
import Foundation
@testable import NotifyService
import Synchronization

/// AccountService as NotifyService's tests see it: `acct_1` has `mem_asg` assigned and `con_1`
/// (notify on) as its contact; `mem_test` (owner) and `mem_asg` may see it, `mem_emp` may not.
final class FixedNotifyDirectory: NotifyDirectory {
    static let owner = Person(id: "mem_test", kind: .member, email: "olive@firm.example", firstName: "Olive", lastName: "Owner")
    static let assigned = Person(id: "mem_asg", kind: .member, email: "ada@firm.example", firstName: "Ada", lastName: "Assigned")
    static let contact = Person(id: "con_1", kind: .contact, email: "carla@client.example", firstName: "Carla", lastName: "Client")
    static let secondContact = Person(id: "con_3", kind: .contact, email: "chris@client.example", firstName: "Chris", lastName: "Client")

    private let state = Mutex<State>(State())

    struct State {
        var contacts: [Person] = [FixedNotifyDirectory.contact, FixedNotifyDirectory.secondContact]
        var showContent = false
        var tokens: [String: String] = [:]
        var lookups = 0
        var down = false
    }

    /// Changes what the directory answers from now on.
    func update(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }
    var lookups: Int { state.withLock { $0.lookups } }

    func audience(account accountID: String, memberIDs: [String]) async throws -> Audience? {
        let state = state.withLock { state in
            state.lookups += 1
            return state
        }
        if state.down { throw RuntimeError.unavailable("AccountService cannot be reached; try again shortly.") }
        guard accountID == "acct_1" else { return nil }
        let seeing = [Self.owner, Self.assigned].filter { memberIDs.contains($0.id) }
        return Audience(accountName: "Client & Co", firmName: "Skeleton <Sons>", showContentInEmails: state.showContent,
                        contacts: state.contacts, assigned: [Self.assigned], members: seeing)
    }

    func invitationToken(_ invitationID: String) async throws -> String? {
        state.withLock { $0.tokens[invitationID] }
    }
}

/// A mailer that keeps what it is given; `failures` answers the next sends with errors first.
final class RecordingMailer: Mailer {
    private let state = Mutex<(sent: [OutgoingMail], failures: [MailError])>(([], []))

    var sent: [OutgoingMail] { state.withLock { $0.sent } }

    /// The next `errors.count` sends fail with these errors, in order.
    func fail(with errors: [MailError]) { state.withLock { $0.failures += errors } }

    func send(_ mail: OutgoingMail) async throws {
        try state.withLock { state in
            if !state.failures.isEmpty { throw state.failures.removeFirst() }
            state.sent.append(mail)
        }
    }
}
