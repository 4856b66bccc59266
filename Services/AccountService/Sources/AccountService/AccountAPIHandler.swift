import AccountAPI
import AtriumRuntime
import Foundation
import OpenAPIRuntime

/// AccountService's routes: sign-up, sign-in, team members and client accounts.
struct AccountAPIHandler: APIProtocol {
    let database: Database
    let outbox: Outbox
    let directory: any DirectoryRepository
    let tags: any TagRepository
    let sessions: Sessions

    func createFirm(_ input: Operations.CreateFirm.Input) async throws -> Operations.CreateFirm.Output {
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let firm = FirmRecord(id: Identifier.make("firm"), name: try InputValidation.name(body.firmName, field: "firmName", max: 200),
                              createdAt: EpochMillis.now())
        var ownerInput = body.owner
        ownerInput.role = .owner
        let owner = try await newMember(ownerInput, firmID: firm.id, field: "owner.")
        let directory = self.directory
        let sessions = self.sessions
        let tokens = try await database.transaction { tx in
            guard try await directory.member(email: owner.email, on: tx) == nil else { throw AccountError.emailTaken }
            try await directory.insertFirm(firm, owner: owner, on: tx)
            return try await sessions.issuePair(for: owner, on: tx)
        }
        return .created(.init(body: .json(.init(firm: firm.wire, owner: owner.wire, tokens: tokens))))
    }

    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        return .ok(.init(body: .json(try await sessions.login(email: body.email, password: body.password))))
    }

    func refresh(_ input: Operations.Refresh.Input) async throws -> Operations.Refresh.Output {
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        return .ok(.init(body: .json(try await sessions.refresh(body.refreshToken))))
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let caller = try RequestScope.requireCaller()
        guard caller.kind == .member, let member = try await directory.member(id: caller.subject, on: database.sql) else {
            throw AccountError.notFound("The caller is not a team member.")
        }
        return .ok(.init(body: .json(member.wire)))
    }

    func listTeamMembers(_ input: Operations.ListTeamMembers.Input) async throws -> Operations.ListTeamMembers.Output {
        let caller = try RequestScope.requireCaller()
        guard caller.kind == .member, let firm = caller.firmID else { throw AccountError.notAllowed("Only team members list the team.") }
        let members = try await directory.members(firm: firm, on: database.sql)
        return .ok(.init(body: .json(.init(items: members.map(\.wire)))))
    }

    func createTeamMember(_ input: Operations.CreateTeamMember.Input) async throws -> Operations.CreateTeamMember.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        guard caller.isFirmAdmin, let firm = caller.firmID else { throw AccountError.notAllowed("Only owners and admins add team members.") }
        if body.role == .owner, caller.role != .owner { throw AccountError.notAllowed("Only an owner can add another owner.") }
        let member = try await newMember(body, firmID: firm, field: "")
        let directory = self.directory
        try await database.transaction { tx in
            guard try await directory.member(email: member.email, on: tx) == nil else { throw AccountError.emailTaken }
            try await directory.insertMember(member, on: tx)
        }
        return .created(.init(body: .json(member.wire)))
    }

    func createAccount(_ input: Operations.CreateAccount.Input) async throws -> Operations.CreateAccount.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        guard caller.kind == .member, let firm = caller.firmID else { throw AccountError.notAllowed("Only team members create accounts.") }
        let account = AccountRecord(id: Identifier.make("acct"), firmId: firm, name: try InputValidation.name(body.name, field: "name", max: 200),
                                    kind: body.kind.rawValue, createdAt: EpochMillis.now())
        try await directory.insertAccount(account, on: database.sql)
        return .created(.init(body: .json(account.wire)))
    }

    func getAccount(_ input: Operations.GetAccount.Input) async throws -> Operations.GetAccount.Output {
        let caller = try RequestScope.requireCaller()
        guard let account = try await directory.account(id: input.path.accountId, on: database.sql), caller.isTeamSide(of: account.firmId) else {
            throw AccountError.notFound("No account \(input.path.accountId) that you can see.")
        }
        return .ok(.init(body: .json(account.wire)))
    }

    private func newMember(_ input: Components.Schemas.TeamMemberInput, firmID: String, field: String) async throws -> MemberRecord {
        let email = try InputValidation.email(input.email, field: field + "email")
        let first = try InputValidation.name(input.firstName, field: field + "firstName")
        let last = try InputValidation.name(input.lastName, field: field + "lastName")
        let password = try InputValidation.password(input.password, field: field + "password")
        let rights = Array(Set((input.rights ?? []).map(\.rawValue))).sorted()
        return MemberRecord(
            id: Identifier.make("mem"), firmId: firmID, email: email, firstName: first, lastName: last,
            role: (input.role ?? .employee).rawValue,
            rights: String(decoding: try JSONEncoder().encode(rights), as: UTF8.self),
            passwordHash: try await sessions.hasher.hash(password), failedLogins: 0, lockedUntil: nil,
            createdAt: EpochMillis.now())
    }
}

extension FirmRecord {
    var wire: Components.Schemas.Firm { .init(id: id, name: name, createdAt: EpochMillis.date(millis: createdAt)) }
}

extension MemberRecord {
    var wire: Components.Schemas.TeamMember {
        .init(id: id, firmId: firmId, email: email, firstName: firstName, lastName: lastName,
              role: Components.Schemas.Role(rawValue: role) ?? .employee,
              rights: rightList.compactMap(Components.Schemas.Right.init(rawValue:)),
              createdAt: EpochMillis.date(millis: createdAt))
    }
}

extension AccountRecord {
    var wire: Components.Schemas.Account {
        .init(id: id, firmId: firmId, name: name, kind: Components.Schemas.AccountKind(rawValue: kind) ?? .individual,
              createdAt: EpochMillis.date(millis: createdAt))
    }
}
