import AtriumRuntime
import Foundation

/// The checks on who a message is for and who it names: recipients, @mentions and attachments.
extension ChatAPIHandler {
    /// The recipients of a thread the team starts: the contacts named, each able to receive
    /// messages, or every contact who can when none are named.
    func recipients(for draft: ThreadDraft, among contacts: [ChatContact]) throws -> [ChatContact] {
        guard let named = draft.recipientIDs else {
            let eligible = contacts.filter(\.canReceiveMessages).sorted { $0.id < $1.id }
            guard !eligible.isEmpty else {
                throw ChatError.noEligibleRecipient(
                    "No contact of account \(draft.accountID) can receive messages: give one portal access and have them accept their invitation.")
            }
            return eligible
        }
        guard !named.isEmpty else { throw ChatError.invalid("recipientIds names no one; leave it out to write to every contact who can receive messages.") }
        let byID = Dictionary(contacts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let refusals = named.compactMap { id -> String? in
            guard let contact = byID[id] else { return "\(id) is not a contact of this account" }
            if !contact.portalAccess { return "\(contact.fullName) (\(id)) has no portal access" }
            if !contact.activated { return "\(contact.fullName) (\(id)) has not activated their account" }
            return nil
        }
        guard refusals.isEmpty else { throw ChatError.recipientsCannotReceive(refusals) }
        return named.compactMap { byID[$0] }
    }

    /// Every @mention must name an active team member of the firm who may see the account.
    func checkMentions(_ ids: [String], grant: AccountGrant, by caller: Caller) async throws {
        guard !ids.isEmpty else { return }
        guard caller.kind != .contact else { throw ChatError.notAllowed("Only the team @mentions.") }
        var refusals: [String] = []
        for id in ids {
            guard let member = try await people.member(id), member.firmID == grant.firmID else {
                refusals.append("\(id) is not a team member of this firm")
                continue
            }
            let name = "\(member.firstName) \(member.lastName) (\(id))"
            if !member.active {
                refusals.append("\(name) is deactivated")
            } else if !member.asCaller.canSee(grant) {
                refusals.append("\(name) cannot see this account")
            }
        }
        guard refusals.isEmpty else { throw ChatError.mentionsRefused(refusals) }
    }

    /// The documents to attach, each a document of the thread's account that `caller` may attach
    /// there: a contact only what they uploaded themselves; the team, in a message contacts will
    /// read, only what contacts may see.
    func attachments(_ ids: [String], account accountID: String, by caller: Caller, internal isInternal: Bool) async throws -> [CatalogDocument] {
        var documents: [CatalogDocument] = []
        for id in ids {
            guard let document = try await catalog.document(id), document.accountID == accountID else {
                throw ChatError.attachmentRefused("\(id) is not a document of this account.")
            }
            if caller.kind == .contact, document.uploader.id != caller.subject {
                throw ChatError.attachmentRefused("A client attaches only documents they uploaded; upload \(document.name) in the thread instead.")
            }
            if caller.kind != .contact, !isInternal, !document.contactsMaySee {
                throw ChatError.attachmentRefused(
                    "The client may not see \(document.name): give them access to it first, or attach it in an internal note.")
            }
            documents.append(document)
        }
        return documents
    }
}
