import AccountService
import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
@testable import NotifyService
import Testing

/// NotifyService's e-mail: preferences, what client e-mails show, the durable queue, invitations.
@Suite("NotifyService: e-mail")
struct NotifyEmailTests {
    typealias Bodies = ChatEventBodies

    @Test("a team member's preference per kind: inbox, e-mail, both or none; defaults shown; refusals named")
    func preferences() async throws {
        try await NotifyWorld.run { world in
            let (_, defaults) = try await world.send(.get, "/v1/notification-preferences", as: world.owner)
            let items = defaults["items"] as? [[String: Any]] ?? []
            #expect(items.first { $0["kind"] as? String == "message" }?["channel"] as? String == "both")
            #expect(items.first { $0["kind"] as? String == "task_changed" }?["channel"] as? String == "inbox")
            #expect(items.allSatisfy { $0["isDefault"] as? Bool == true })

            let (status, changed) = try await world.send(.put, "/v1/notification-preferences", ["items": [
                ["kind": "message", "channel": "email"], ["kind": "mention", "channel": "none"],
            ]], as: world.owner)
            #expect(status == 200)
            let after = changed["items"] as? [[String: Any]] ?? []
            #expect(after.first { $0["kind"] as? String == "message" }?["isDefault"] as? Bool == false)
            let refused = try await world.send(.put, "/v1/notification-preferences", ["items": [["kind": "invitation", "channel": "none"]]], as: world.owner)
            #expect(refused.status == 400 && (refused.json["detail"] as? String)?.contains("invitation") == true)
            #expect(try await world.send(.put, "/v1/notification-preferences", ["items": [["kind": "message", "channel": "loud"]]], as: world.owner).status == 400)
            #expect(try await world.send(.get, "/v1/notification-preferences", as: world.contact).status == 403)

            // A reply: e-mail only. A mention: nothing at all. Then a task change the assigned member hears in the inbox.
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("con_1", "contact"))) == 204)
            #expect(try await world.deliver(EventTypes.chatNoteCreated, Bodies.message(
                author: Bodies.author("mem_asg", "member"), isInternal: true, mentions: ["mem_test"])) == 204)
            try await eventually("the reply's e-mail") { world.mailer.sent.contains { $0.to.first?.email == "olive@firm.example" } }
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("mem_test", "member"))) == 204)
            _ = try await world.waitForInbox(world.contact, count: 1)
            #expect(try await world.inbox(world.owner).isEmpty, "e-mail only, and the mention muted")
            #expect(world.mailer.sent.filter { $0.to.first?.email == "olive@firm.example" }.count == 1)
        }
    }

    @Test("a client e-mail shows the message only when the firm allows it; team e-mails always do; both parts, names escaped")
    func clientContent() async throws {
        try await NotifyWorld.run { world in
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(
                author: Bodies.author("mem_test", "member"), text: "Your <b>refund</b> is ready", first: true)) == 204)
            try await eventually("the client's e-mail") { world.mailer.sent.count == 1 }
            let discreet = try #require(world.mailer.sent.first)
            #expect(discreet.to == [MailAddress(name: "Carla Client", email: "carla@client.example")])
            #expect(discreet.subject == "You have a new message from Skeleton <Sons>")
            #expect(!discreet.text.contains("refund") && !discreet.html.contains("refund"))
            #expect(discreet.html.contains("Skeleton &lt;Sons&gt;") || !discreet.html.contains("Skeleton <Sons>"))
            #expect(discreet.text.contains("https://portal.example/threads/thr_1") && discreet.html.contains("https://portal.example/threads/thr_1"))
            #expect(discreet.messageID.hasSuffix("@firm.example"))

            world.directory.update { $0.showContent = true }
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(
                author: Bodies.author("mem_test", "member"), text: "Your <b>refund</b> is ready")) == 204)
            try await eventually("the second e-mail") { world.mailer.sent.count == 2 }
            let shown = world.mailer.sent[1]
            #expect(shown.subject == "New message in “Year-end”")
            #expect(shown.text.contains("Your <b>refund</b> is ready"), "the plain part is not HTML")
            #expect(shown.html.contains("Your &lt;b&gt;refund&lt;/b&gt; is ready") && !shown.html.contains("<b>refund"), "user text is escaped in HTML")
        }
    }

    @Test("PipelineService's reminder of an unfinished organizer e-mails each contact who hears about the account, once; a bad payload is refused")
    func itemReminder() async throws {
        try await NotifyWorld.run { world in
            let path = "/v1/inbound/pipeline-events"
            let reminder: [String: Any] = ["itemId": "itm_1", "kind": "organizer", "name": "Your <2026> year", "firmId": "firm_test", "accountId": "acct_1",
                                           "jobId": "job_1", "reminder": 1, "of": 2, "at": "2026-11-24T05:00:00Z"]
            let id = Identifier.make("msg")
            #expect(try await world.deliver(EventTypes.pipelineItemReminderDue, reminder, id: id, path: path) == 204)
            #expect(try await world.deliver(EventTypes.pipelineItemReminderDue, reminder, id: id, path: path) == 204, "a redelivery")
            try await eventually("both contacts' e-mails") { world.mailer.sent.count == 2 }
            #expect(Set(world.mailer.sent.flatMap(\.to).map(\.email)) == ["carla@client.example", "chris@client.example"])
            let mail = try #require(world.mailer.sent.first)
            // The firm does not show content in e-mails: the subject says a reminder is waiting, and the link is the portal.
            #expect(mail.subject == "Reminder: Skeleton <Sons> is waiting for your reply")
            #expect(mail.text.contains("https://portal.example") && !mail.text.contains("2026"))
            world.directory.update { $0.showContent = true }
            #expect(try await world.deliver(EventTypes.pipelineItemReminderDue, reminder, path: path) == 204)
            try await eventually("the shown reminders") { world.mailer.sent.count == 4 }
            #expect(world.mailer.sent[3].subject == "Reminder: your organizer “Your <2026> year” is waiting")
            #expect(world.mailer.sent[3].html.contains("Your &lt;2026&gt; year"))
            var broken = reminder
            broken["reminder"] = "first"
            #expect(try await world.deliver(EventTypes.pipelineItemReminderDue, broken, path: path) == 400)
            try await Task.sleep(for: .milliseconds(200))
            #expect(world.mailer.sent.count == 4)
        }
    }

    @Test("temporary failures are retried until the e-mail goes, once; a permanent refusal parks it as failed with its attempts")
    func retries() async throws {
        try await NotifyWorld.run(overrides: ["ATRIUM_EMAIL_MAX_ATTEMPTS": "4"]) { world in
            world.mailer.fail(with: [.temporary("421 try later"), .temporary("connection refused")])
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("con_1", "contact"))) == 204)
            try await eventually("the e-mail after two failures") { world.mailer.sent.count == 1 }
            var emails: [[String: Any]] = []
            try await eventually("the e-mail marked sent") {
                emails = try await world.send(.get, "/v1/emails", as: world.owner).json["items"] as? [[String: Any]] ?? []
                return emails.first?["status"] as? String == "sent"
            }
            #expect(emails.count == 1 && emails.first?["attempts"] as? Int == 3)
            let id = try #require(emails.first?["id"] as? String)
            let details = try await world.send(.get, "/v1/emails/\(id)", as: world.owner).json
            let log = details["attemptLog"] as? [[String: Any]] ?? []
            #expect(log.count == 3 && log.first?["error"] as? String == "421 try later", "\(details)")

            world.mailer.fail(with: [.permanent("550 no such mailbox")])
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("con_1", "contact"))) == 204)
            try await eventually("the refused e-mail parked") {
                try await world.send(.get, "/v1/emails?status=failed", as: world.owner).json["items"].map { ($0 as? [Any])?.count == 1 } ?? false
            }
            #expect(world.mailer.sent.count == 1)
            #expect(try await world.send(.get, "/v1/emails", as: world.assigned).status == 403)
            #expect(try await world.send(.get, "/v1/emails/\(id)", as: world.stranger).status == 404, "another firm's e-mail is missing")
            #expect(try await world.send(.get, "/v1/emails", as: world.stranger).json["items"].map { ($0 as? [Any])?.isEmpty } == true)
        }
    }

    @Test("without an SMTP server e-mails are held and visible, never dropped")
    func held() async throws {
        try await NotifyWorld.run(mail: false) { world in
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("con_1", "contact"))) == 204)
            try await eventually("the e-mail held") {
                let items = try await world.send(.get, "/v1/emails?status=held", as: world.owner).json["items"] as? [[String: Any]] ?? []
                return items.count == 1 && (items.first?["lastError"] as? String)?.contains("smtp.url") == true
            }
        }
    }

    @Test("an invitation e-mail carries its accept link, fetched when sent and never stored or shown")
    func invitations() async throws {
        try await NotifyWorld.run { world in
            world.directory.update { $0.tokens["inv_1"] = "secret-token-123" }
            let invitation: [String: Any] = [
                "invitationId": "inv_1", "firmId": "firm_test", "firmName": "Skeleton & Sons", "kind": "contact", "subjectId": "con_9",
                "email": "newbie@client.example", "firstName": "Nina", "lastName": "Newbie", "expiresAt": "2026-12-01T10:00:00Z",
            ]
            let id = Identifier.make("msg")
            #expect(try await world.deliver(EventTypes.accountInvitationCreated, invitation, id: id, path: "/v1/inbound/invitation-events") == 204)
            #expect(try await world.deliver(EventTypes.accountInvitationCreated, invitation, id: id, path: "/v1/inbound/invitation-events") == 204)
            try await eventually("the invitation e-mail") { world.mailer.sent.count == 1 }
            let mail = try #require(world.mailer.sent.first)
            #expect(mail.subject == "Skeleton & Sons invites you to its client portal")
            #expect(mail.text.contains("https://portal.example/invitations/accept?token=secret-token-123"))
            #expect(mail.html.contains("https://portal.example/invitations/accept?token=secret-token-123"))
            let listed = try await world.send(.get, "/v1/emails", as: world.owner)
            #expect(!"\(listed.json)".contains("secret-token"), "the queue never shows the link")
            // Expired or used before it was sent: not sent at all.
            var expired = invitation
            expired["invitationId"] = "inv_2"
            #expect(try await world.deliver(EventTypes.accountInvitationCreated, expired, path: "/v1/inbound/invitation-events") == 204)
            try await eventually("the stale invitation parked") {
                try await world.send(.get, "/v1/emails?status=failed", as: world.owner).json["items"].map { ($0 as? [Any])?.count == 1 } ?? false
            }
            #expect(world.mailer.sent.count == 1)
        }
    }
}
