import AccountAPI
import AtriumRuntime
import Contracts
import Foundation
import OpenAPIRuntime
import SQLKit

/// The team: owners, admins and employees; invitations, changes and deactivation.
extension AccountAPIHandler {
    func listTeamMembers(_ input: Operations.ListTeamMembers.Input) async throws -> Operations.ListTeamMembers.Output {
        let firm = try Self.teamFirm("Only team members list the team.")
        return .ok(.init(body: .json(.init(items: try await directory.members(firm: firm, on: database.sql).map(\.wire)))))
    }

    func getTeamMember(_ input: Operations.GetTeamMember.Input) async throws -> Operations.GetTeamMember.Output {
        // Services act for every firm (ChatService checks who an @mention names).
        let firm = try RequestScope.requireCaller().kind == .service ? nil : try Self.teamFirm("Only team members look up the team.")
        guard let member = try await directory.member(id: input.path.memberId, on: database.sql), firm == nil || member.firmId == firm else {
            throw AccountError.notFound("No team member \(input.path.memberId).")
        }
        return .ok(.init(body: .json(member.wire)))
    }

    func createTeamMember(_ input: Operations.CreateTeamMember.Input) async throws -> Operations.CreateTeamMember.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let body) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let firmID = try Self.adminFirm("Only owners and admins add team members.")
        if body.role == .owner, caller.role != .owner { throw AccountError.notAllowed("Only an owner can add another owner.") }
        let member = try await newMember(body, firmID: firmID, field: "")
        try await AccountError.whenTaken(.emailTaken) { try await outbox.transaction { tx in
            guard try await directory.member(email: member.email, on: tx.sql) == nil else { throw AccountError.emailTaken }
            guard let firm = try await directory.firm(id: firmID, on: tx.sql) else { throw AccountError.notFound("No firm \(firmID).") }
            try await directory.insertMember(member, on: tx.sql)
            if member.status == "invited" {
                let invitation = try await sessions.invite(.member, subject: member.id, firm: firmID, on: tx.sql)
                try await tx.publish(EventTypes.accountInvitationCreated, firmID: firmID, payload: Components.Schemas.InvitationEvent(
                    invitationId: invitation.id, firmId: firmID, firmName: firm.name, kind: .member, subjectId: member.id, email: member.email,
                    firstName: member.firstName, lastName: member.lastName,
                    expiresAt: EpochMillis.date(millis: invitation.expiresAt)))
            }
            try await recordActivity(by: caller, firm: firmID, action: "member.added",
                                     summary: "added \(member.firstName) \(member.lastName) as \(member.role)", on: tx.sql)
        } }
        return .created(.init(body: .json(member.wire)))
    }

    func updateTeamMember(_ input: Operations.UpdateTeamMember.Input) async throws -> Operations.UpdateTeamMember.Output {
        let caller = try RequestScope.requireCaller()
        guard case .json(let change) = input.body else { throw AccountError.invalid("Expected a JSON body.") }
        let firmID = try Self.adminFirm("Only owners and admins change team members.")
        let id = input.path.memberId
        let updated = try await outbox.transaction { tx in
            // Locking the firm queues every change of its team, so two owners cannot demote each other at once.
            guard try await directory.lockFirm(id: firmID, on: tx.sql) != nil,
                let before = try await directory.member(id: id, on: tx.sql), before.firmId == firmID else {
                throw AccountError.notFound("No team member \(id).")
            }
            let after = try applying(change, to: before)
            if before.role == "owner" || after.role == "owner", caller.role != .owner {
                throw AccountError.notAllowed("Only an owner can change an owner or make someone an owner.")
            }
            if before.isActiveOwner, !after.isActiveOwner, try await directory.activeOwners(firm: firmID, on: tx.sql) <= 1 {
                throw AccountError.lastOwner
            }
            guard after.differs(from: before) else { return before }
            var saved = after
            saved.updatedAt = EpochMillis.now()
            if saved.changesStanding(from: before) { saved.standing += 1 }
            try await directory.updateMember(saved, on: tx.sql)
            if saved.status == "deactivated" { try await credentials.revokeSessions(subject: id, on: tx.sql) }
            try await tx.publish(EventTypes.accountMemberUpdated, firmID: firmID, payload: saved.updatedEvent)
            try await recordActivity(by: caller, firm: firmID, action: "member.updated", summary: saved.changeSummary(from: before), on: tx.sql)
            return saved
        }
        // Effective here at once; other services learn it from the event.
        cache.store(member: updated.id, MemberStanding(active: updated.status != "deactivated", version: updated.standing))
        return .ok(.init(body: .json(updated.wire)))
    }

    /// `member` with `change` applied and validated; the status only moves between active and deactivated.
    private func applying(_ change: Components.Schemas.TeamMemberChange, to member: MemberRecord) throws -> MemberRecord {
        var after = member
        if let first = change.firstName { after.firstName = try InputValidation.name(first, field: "firstName") }
        if let last = change.lastName { after.lastName = try InputValidation.name(last, field: "lastName") }
        if let role = change.role { after.role = role.rawValue }
        if let rights = change.rights { after.rights = try Self.encodeRights(rights) }
        switch (change.active, member.status) {
        case (false?, "active"), (false?, "invited"): after.status = "deactivated"
        case (true?, "deactivated"): after.status = member.passwordHash.isEmpty ? "invited" : "active"
        default: break
        }
        return after
    }

    func newMember(_ input: Components.Schemas.TeamMemberInput, firmID: String, field: String) async throws -> MemberRecord {
        let email = try InputValidation.email(input.email, field: field + "email")
        let first = try InputValidation.name(input.firstName, field: field + "firstName")
        let last = try InputValidation.name(input.lastName, field: field + "lastName")
        var hash: String?
        if let password = input.password { hash = try await sessions.hasher.hash(try InputValidation.password(password, field: field + "password")) }
        let now = EpochMillis.now()
        return MemberRecord(
            id: Identifier.make("mem"), firmId: firmID, email: email, firstName: first, lastName: last,
            role: (input.role ?? .employee).rawValue, rights: try Self.encodeRights(input.rights ?? []),
            passwordHash: hash ?? "", failedLogins: 0, lockedUntil: nil, createdAt: now,
            status: hash == nil ? "invited" : "active", updatedAt: now, standing: 0)
    }

    static func encodeRights(_ rights: [Components.Schemas.Right]) throws -> String {
        String(decoding: try JSONEncoder().encode(Array(Set(rights.map(\.rawValue))).sorted()), as: UTF8.self)
    }
}

extension MemberRecord {
    var wire: Components.Schemas.TeamMember {
        .init(id: id, firmId: firmId, email: email, firstName: firstName, lastName: lastName,
              role: Components.Schemas.Role(rawValue: role) ?? .employee,
              rights: rightList.compactMap(Components.Schemas.Right.init(rawValue:)),
              status: Components.Schemas.MemberStatus(rawValue: status) ?? .active,
              createdAt: EpochMillis.date(millis: createdAt))
    }

    var isActiveOwner: Bool { role == "owner" && status == "active" }

    func differs(from other: MemberRecord) -> Bool {
        firstName != other.firstName || lastName != other.lastName || role != other.role || rights != other.rights
            || status != other.status
    }

    /// Whether tokens issued before this change say more than the member may now do.
    func changesStanding(from other: MemberRecord) -> Bool {
        role != other.role || rights != other.rights || status != other.status
    }

    var updatedEvent: Components.Schemas.MemberUpdatedEvent {
        .init(firmId: firmId, memberId: id, status: wire.status, role: wire.role, rights: wire.rights,
              standing: standing, changedAt: EpochMillis.date(millis: updatedAt))
    }

    /// "changed Ann Lee: role admin → employee; deactivated" for the activity feed.
    func changeSummary(from before: MemberRecord) -> String {
        var parts: [String] = []
        if role != before.role { parts.append("role \(before.role) → \(role)") }
        if rights != before.rights { parts.append("rights \(before.rightList.joined(separator: ", ")) → \(rightList.joined(separator: ", "))") }
        if firstName != before.firstName || lastName != before.lastName { parts.append("name") }
        if status != before.status { parts.append(status == "deactivated" ? "deactivated" : "reactivated") }
        return "changed \(firstName) \(lastName): " + parts.joined(separator: "; ")
    }
}
