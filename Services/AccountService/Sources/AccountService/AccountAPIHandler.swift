import AccountAPI
import AtriumRuntime
import Contracts
import Foundation
import OpenAPIRuntime
import SQLKit

/// AccountService's routes. This file: sign-up, sign-in, invitations and "who am I";
/// the team, the firm, accounts, contacts and tags each have their own extension.
struct AccountAPIHandler: APIProtocol {
    let database: Database
    let outbox: Outbox
    let directory: any DirectoryRepository
    let people: any PeopleRepository
    let credentials: any CredentialRepository
    let tags: any TagRepository
    let sessions: Sessions
    /// This service's own access cache: member changes made here apply to its token checks at once.
    let cache: DirectoryCache
    /// AccountService's own secret, against which services' credentials are checked.
    let accountSecret: String

    func createFirm(_ input: Operations.CreateFirm.Input) async throws -> Operations.CreateFirm.Output {
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        try sessions.limits.admitClient()
        let now = EpochMillis.now()
        let firm = FirmRecord(id: Identifier.make("firm"), name: try InputValidation.name(body.firmName, field: "firmName", max: 200),
                              createdAt: now, settingsUpdatedAt: now)
        var ownerInput = body.owner
        ownerInput.role = .owner
        guard ownerInput.password != nil else { throw AccountError.invalid("owner.password is required.") }
        let owner = try await newMember(ownerInput, firmID: firm.id, field: "owner.")
        let tokens = try await AccountError.whenTaken(.emailTaken) {
            try await database.transaction { tx in
                guard try await directory.member(email: owner.email, on: tx) == nil else { throw AccountError.emailTaken }
                try await directory.insertFirm(firm, owner: owner, on: tx)
                return try await sessions.issuePair(for: owner.caller, on: tx)
            }
        }
        return .created(.init(body: .json(.init(firm: firm.wire, owner: owner.wire, tokens: tokens))))
    }

    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let (email, password) = try InputValidation.signIn(email: body.email, password: body.password)
        let credential = try await sessions.memberCredential(email: email)
        return .ok(.init(body: .json(try await sessions.login(credential, identity: "member:\(email)", password: password))))
    }

    func contactLogin(_ input: Operations.ContactLogin.Input) async throws -> Operations.ContactLogin.Output {
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let (email, password) = try InputValidation.signIn(email: body.email, password: body.password)
        let credential = try await sessions.contactCredential(firm: body.firmId, email: email)
        return .ok(.init(body: .json(try await sessions.login(credential, identity: "contact:\(body.firmId):\(email)", password: password))))
    }

    func refresh(_ input: Operations.Refresh.Input) async throws -> Operations.Refresh.Output {
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        return .ok(.init(body: .json(try await sessions.refresh(body.refreshToken))))
    }

    func acceptInvitation(_ input: Operations.AcceptInvitation.Input) async throws -> Operations.AcceptInvitation.Output {
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        try sessions.limits.admitClient()
        let hash = try await sessions.hasher.hash(try InputValidation.password(body.password))
        let digest = Sessions.digest(body.token)
        let tokens = try await database.transaction { tx in
            let now = EpochMillis.now()
            guard let invitation = try await credentials.lockInvitation(hash: digest, on: tx), invitation.usedAt == nil,
                invitation.expiresAt > now else { throw AccountError.invalidInvitation }
            try await credentials.markInvitationUsed(hash: digest, at: now, on: tx)
            let caller = try await activate(invitation, passwordHash: hash, at: now, on: tx)
            return try await sessions.issuePair(for: caller, on: tx)
        }
        return .ok(.init(body: .json(tokens)))
    }

    /// Only NotifyService, which sends the invitation e-mail, may read an invitation's token.
    func getInvitationLink(_ input: Operations.GetInvitationLink.Input) async throws -> Operations.GetInvitationLink.Output {
        let caller = try RequestScope.requireCaller()
        guard caller.kind == .service, caller.subject == ServiceName.notify.displayName else {
            throw AccountError.notAllowed("Only the notification service reads invitation links.")
        }
        let id = input.path.invitationId
        guard let invitation = try await credentials.invitation(id: id, on: database.sql),
            let kind = Components.Schemas.InvitationLink.KindPayload(rawValue: invitation.subjectKind) else {
            throw AccountError.notFound("No invitation \(id).")
        }
        guard invitation.usedAt == nil, invitation.expiresAt > EpochMillis.now() else {
            throw AccountError.gone("Invitation \(id) was accepted, replaced by a newer one, or has expired.")
        }
        let email = kind == .member
            ? try await directory.member(id: invitation.subjectId, on: database.sql)?.email
            : try await people.contact(id: invitation.subjectId, on: database.sql)?.email
        return .ok(.init(body: .json(.init(
            invitationId: id, kind: kind, subjectId: invitation.subjectId, email: email ?? "",
            token: sessions.invitationToken(id: id), expiresAt: EpochMillis.date(millis: invitation.expiresAt)))))
    }

    /// Sets the invited person's password and marks them active (members) or activated (contacts).
    private func activate(_ invitation: InvitationRecord, passwordHash: String, at now: Int64, on tx: any SQLDatabase) async throws -> Caller {
        switch SubjectKind(rawValue: invitation.subjectKind) {
        case .member:
            guard var member = try await directory.member(id: invitation.subjectId, on: tx), member.status == "invited" else {
                throw AccountError.invalidInvitation
            }
            member.passwordHash = passwordHash
            member.status = "active"
            member.updatedAt = now
            try await directory.updateMember(member, on: tx)
            return member.caller
        case .contact:
            guard var contact = try await people.contact(id: invitation.subjectId, on: tx) else { throw AccountError.invalidInvitation }
            contact.passwordHash = passwordHash
            contact.activatedAt = contact.activatedAt ?? now
            try await people.updateContact(contact, on: tx)
            return contact.caller
        case nil:
            throw AccountError.invalidInvitation
        }
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let caller = try RequestScope.requireCaller()
        switch caller.kind {
        case .member:
            guard let member = try await directory.member(id: caller.subject, on: database.sql) else { throw AccountError.notFound("No such member.") }
            return .ok(.init(body: .json(.init(kind: .member, id: member.id, firmId: member.firmId, email: member.email,
                                               firstName: member.firstName, lastName: member.lastName,
                                               role: member.wire.role, rights: member.wire.rights))))
        case .contact:
            guard let contact = try await people.contact(id: caller.subject, on: database.sql) else { throw AccountError.notFound("No such contact.") }
            return .ok(.init(body: .json(.init(kind: .contact, id: contact.id, firmId: contact.firmId, email: contact.email,
                                               firstName: contact.firstName, lastName: contact.lastName,
                                               viewedBy: caller.portalView.map { .init(memberId: $0.memberID, accountId: $0.accountID) }))))
        case .service:
            throw AccountError.notAllowed("A service is not a person.")
        }
    }
}

// MARK: - Shared rules

extension AccountAPIHandler {
    /// The account, when the caller may see it (SPEC "People and access"); 404 otherwise, as if it did not exist.
    func visibleAccount(_ id: String, on db: any SQLDatabase) async throws -> AccountRecord {
        let caller = try RequestScope.requireCaller()
        guard let account = try await directory.account(id: id, on: db) else { throw AccountError.notFound("No account \(id) that you can see.") }
        if caller.seesEveryAccount(of: account.firmId) { return account }
        guard caller.canSee(try await grant(of: account, on: db)) else { throw AccountError.notFound("No account \(id) that you can see.") }
        return account
    }

    /// The account, when a team member (or service) may see it; a contact of it gets a 403.
    func managedAccount(_ id: String, on db: any SQLDatabase) async throws -> AccountRecord {
        let account = try await visibleAccount(id, on: db)
        if try RequestScope.requireCaller().kind == .contact { throw AccountError.notAllowed("Contacts cannot manage accounts.") }
        return account
    }

    /// Who may see the account beyond the firm-wide roles.
    func grant(of account: AccountRecord, on db: any SQLDatabase) async throws -> AccountGrant {
        let contacts = try await people.linkedContacts(account: account.id, on: db).filter { $0.link.portalAccess == 1 }
        return AccountGrant(accountID: account.id, firmID: account.firmId, version: account.accessVersion,
                            memberIDs: Set(try await people.assigned(account: account.id, on: db)),
                            contactIDs: Set(contacts.map(\.contact.id)))
    }

    /// Bumps the account's access version and publishes `account.access_updated` with the new grant.
    /// `account` must have been locked in this transaction.
    func announceAccess(of account: AccountRecord, on tx: OutboxTransaction) async throws -> Components.Schemas.AccountAccess {
        var account = account
        account.accessVersion += 1
        try await directory.updateAccount(account, on: tx.sql)
        let access = try await grant(of: account, on: tx.sql).wire(updatedAt: Date())
        try await tx.publish(EventTypes.accountAccessUpdated, firmID: account.firmId, payload: access)
        return access
    }

    /// Adds a line to the firm's activity feed, naming the caller.
    ///
    /// The caller is passed in: task-locals such as `RequestScope` do not reach the body of a
    /// PostgreSQL transaction, which runs in a task of its own.
    func recordActivity(by caller: Caller, firm: String, action: String, summary: String, on db: any SQLDatabase) async throws {
        let actorName = try await directory.member(id: caller.subject, on: db).map { "\($0.firstName) \($0.lastName)" } ?? caller.subject
        try await directory.insertActivity(
            ActivityRecord(id: Identifier.make("act"), firmId: firm, actorId: caller.subject, actorName: actorName,
                           action: action, summary: "\(actorName) \(summary)", at: EpochMillis.now()),
            on: db)
    }

    /// The caller's firm when they are one of its team members; 403 for anyone else.
    static func teamFirm(_ why: String) throws -> String {
        let caller = try RequestScope.requireCaller()
        guard caller.kind == .member, let firm = caller.firmID else { throw AccountError.notAllowed(why) }
        return firm
    }

    /// The caller's firm when they are one of its owners or admins; 403 for anyone else.
    static func adminFirm(_ why: String) throws -> String {
        let caller = try RequestScope.requireCaller()
        guard caller.isFirmAdmin, let firm = caller.firmID else { throw AccountError.notAllowed(why) }
        return firm
    }

    /// Page size from the query: 50 unless said otherwise, at most 100.
    static func pageSize(_ limit: Int?) throws -> Int {
        let size = limit ?? 50
        guard (1...100).contains(size) else { throw AccountError.invalid("limit must be 1 to 100.") }
        return size
    }
}

extension FirmRecord {
    var wire: Components.Schemas.Firm { .init(id: id, name: name, createdAt: EpochMillis.date(millis: createdAt)) }
}

extension AccountGrant {
    func wire(updatedAt: Date) -> Components.Schemas.AccountAccess {
        .init(accountId: accountID, firmId: firmID, version: version, assignedMemberIds: memberIDs.sorted(),
              contactIds: contactIDs.sorted(), updatedAt: updatedAt)
    }
}
