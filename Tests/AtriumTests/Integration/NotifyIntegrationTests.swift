import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// NotifyService among the real services, e-mailing a real SMTP server (aiosmtpd) over STARTTLS
/// with authentication: who gets which e-mail, what client e-mails show, and the invitation link.
@Suite("NotifyService across real processes, with a real SMTP server")
struct NotifyIntegrationTests {
    /// NotifyService's settings for `sink`: STARTTLS trusted through the sink's CA, AUTH, fast retries.
    static func settings(_ sink: SMTPSink?, port: Int? = nil) -> [String: String] {
        var settings = [
            "ATRIUM_SMTP_URL": "smtp://127.0.0.1:\(port ?? sink?.port ?? 0)", "ATRIUM_SMTP_FROM": "Atrium <no-reply@atrium.test>",
            "ATRIUM_PORTAL_URL": "https://portal.atrium.test", "ATRIUM_EMAIL_RETRY_BASE_MS": "50", "ATRIUM_EMAIL_RETRY_MAX_MS": "400",
            "ATRIUM_EMAIL_MAX_ATTEMPTS": "1000",
            // A killed NotifyService's e-mails in flight are taken up again within seconds.
            "ATRIUM_SMTP_TIMEOUT_SECONDS": "3", "ATRIUM_EMAIL_LEASE_SECONDS": "5",
        ]
        if let auth = sink?.options.auth {
            settings["ATRIUM_SMTP_USER"] = auth.user
            settings["ATRIUM_SMTP_PASSWORD"] = auth.password
        }
        if let ca = sink?.caFile { settings["ATRIUM_SMTP_CA_FILE"] = ca }
        return settings
    }

    /// The messages `sink` received for `address`.
    static func mail(_ sink: SMTPSink, to address: String) throws -> [SMTPSink.Received] {
        try sink.messages().filter { $0.rcptTos.contains(address) }
    }

    /// Waits until `address` has `count` messages; they.
    static func waitForMail(_ sink: SMTPSink, to address: String, count: Int) async throws -> [SMTPSink.Received] {
        var found: [SMTPSink.Received] = []
        try await eventually(timeout: .seconds(60), "\(count) e-mails to \(address)") {
            found = try mail(sink, to: address)
            return found.count >= count
        }
        return found
    }

    /// Adds a contact with portal access, invites them, and accepts with the token the invitation
    /// e-mail carried; their id and bearer header.
    static func invitedByEmail(
        _ cluster: Cluster, _ sink: SMTPSink, owner: String, account: String, email: String
    ) async throws -> (id: String, bearer: String, invitation: SMTPSink.Received) {
        let accounts = ServiceHTTP(base: cluster.url(.account), token: owner)
        let added = try await accounts.send(.POST, "/v1/accounts/\(account)/contacts", json: [
            "email": email, "firstName": "Zoë", "lastName": "Client", "portalAccess": true,
        ])
        let id = try #require(added.json["id"] as? String, "\(added.json)")
        #expect(try await accounts.send(.POST, "/v1/accounts/\(account)/contacts/\(id)/invitation").status == 202)
        let invitation = try #require(try await waitForMail(sink, to: email, count: 1).last)
        let text = try #require(invitation.text)
        let token = try #require(text.firstMatch(of: #/invitations/accept\?token=([A-Za-z0-9._~%-]+)/#)?.output.1, "\(text)")
        let accepted = try await ServiceHTTP(base: cluster.url(.account)).send(.POST, "/v1/invitations/accept", json: [
            "token": String(token).removingPercentEncoding ?? String(token), "password": "a long enough password",
        ])
        #expect(accepted.status == 200, "the e-mailed link works: \(accepted.json)")
        return (id, "Bearer " + (try #require(accepted.json["accessToken"] as? String)), invitation)
    }

    @Test("each rule e-mails exactly the right people: invitations, new threads, replies, mentions, completion; notes and notify-off never reach clients",
          arguments: TestEngine.all)
    func rules(engine: TestEngine) async throws {
        try await SMTPSink.with(SMTPSink.Options(tls: .starttls, auth: ("atrium-notify", "a sink password"))) { sink in
            try await IntegrationHarness.with(engine, settings: Self.settings(sink)) { cluster in
                let owner = try await WalkingSkeletonTests.owner(cluster)
                let me = try await ServiceHTTP(base: cluster.url(.account), token: owner).send(.GET, "/v1/me").json
                let ownerEmail = try #require(me["email"] as? String, "\(me)")
                let account = try #require(try await ServiceHTTP(base: cluster.url(.account), token: owner)
                    .send(.POST, "/v1/accounts", json: ["name": "Mail & Co", "kind": "company"]).json["id"] as? String)
                let suffix = UInt32.random(in: 0...UInt32.max)
                let (clientID, client, invitation) = try await Self.invitedByEmail(cluster, sink, owner: owner, account: account,
                                                                                    email: "zoe-\(suffix)@client.example")
                // The invitation went over STARTTLS with AUTH, with both parts and proper headers.
                #expect(invitation.tls && invitation.authUser == "atrium-notify" && invitation.defects.isEmpty)
                #expect(invitation.subject == "Skeleton & Sons invites you to its client portal")
                #expect(invitation.text != nil && invitation.html != nil && invitation.header("Message-ID")?.hasSuffix("@atrium.test>") == true)
                #expect(invitation.to.first?.first == "Zoë Client", "a non-ASCII name arrives intact")
                let (quietID, _, _) = try await Self.invitedByEmail(cluster, sink, owner: owner, account: account, email: "quiet-\(suffix)@client.example")
                #expect(try await ServiceHTTP(base: cluster.url(.account), token: owner)
                    .send(.PATCH, "/v1/accounts/\(account)/contacts/\(quietID)", json: ["notify": false]).status == 200)
                let (employeeID, employee) = try await ChatCluster.assignedEmployee(cluster, owner: owner, account: account, name: "ada")

                // A new thread with tasks: the notify-on client hears, without its content (the firm's default).
                let chat = ServiceHTTP(base: cluster.url(.chat), token: owner)
                let thread = try await chat.send(.POST, "/v1/threads", json: [
                    "accountId": account, "subject": "Year end", "text": "Please upload the bank statements",
                    "recipientIds": [clientID, quietID], "tasks": [["text": "Bank statements"]],
                ])
                let threadID = try #require(thread.json["id"] as? String, "\(thread.json)")
                let news = try #require(try await Self.waitForMail(sink, to: "zoe-\(suffix)@client.example", count: 2).last)
                #expect(news.subject == "You have a new message from Skeleton & Sons")
                #expect(!(news.text ?? "").contains("bank statements") && (news.text ?? "").contains("https://portal.atrium.test/threads/\(threadID)"))

                // An internal note @mentioning the employee: they hear, with its text; no client ever does.
                #expect(try await chat.send(.POST, "/v1/threads/\(threadID)/messages", json: [
                    "text": "Internal: the fee dispute", "internal": true, "mentions": [employeeID],
                ]).status == 201)
                let employeeEmail = try #require(try await ServiceHTTP(base: cluster.url(.account), token: employee).send(.GET, "/v1/me").json["email"] as? String)
                let mention = try #require(try await Self.waitForMail(sink, to: employeeEmail, count: 1).first)
                #expect(mention.subject?.contains("mentioned you") == true && (mention.text ?? "").contains("the fee dispute"))

                // The client replies: the starter hears, with the content (team e-mail always shows it).
                let asClient = ServiceHTTP(base: cluster.url(.chat), token: client)
                #expect(try await asClient.send(.POST, "/v1/threads/\(threadID)/messages", json: ["text": "Uploading them today"]).status == 201)
                let reply = try #require(try await Self.waitForMail(sink, to: ownerEmail, count: 1).first)
                #expect(reply.subject == "Zoë Client replied in “Year end”" && (reply.text ?? "").contains("Uploading them today"), "\(reply.subject ?? "")")

                // The firm lets client e-mails show content: the next message's e-mail shows it.
                #expect(try await ServiceHTTP(base: cluster.url(.account), token: owner).send(.PATCH, "/v1/firms/\(me["firmId"] as? String ?? "")/settings",
                                                                                             json: ["showContentInEmails": true]).status == 200)
                #expect(try await chat.send(.POST, "/v1/threads/\(threadID)/messages", json: ["text": "Thanks, got them"]).status == 201)
                let shown = try #require(try await Self.waitForMail(sink, to: "zoe-\(suffix)@client.example", count: 3).last)
                #expect((shown.text ?? "").contains("Thanks, got them") && (shown.html ?? "").contains("Thanks, got them"))

                // The client completes every task: the starter hears; the assigned employee sees the change in Inbox+.
                let task = try #require((thread.json["tasks"] as? [[String: Any]])?.first?["id"] as? String)
                #expect(try await asClient.send(.PATCH, "/v1/threads/\(threadID)/tasks/\(task)", json: ["done": true]).status == 200)
                let done = try await Self.waitForMail(sink, to: ownerEmail, count: 2)
                #expect(done.last?.subject == "Zoë Client completed every task in “Year end”")
                let notify = ServiceHTTP(base: cluster.url(.notify), token: employee)
                try await eventually("the employee's task item") {
                    let items = try await notify.send(.GET, "/v1/inbox?kind=task_changed").json["items"] as? [[String: Any]] ?? []
                    return (items.first?["tasks"] as? [[String: Any]])?.first?["done"] as? Bool == true
                }

                // Nothing more for anyone: the quiet client got their invitation alone, no client saw the note.
                let all = try sink.messages()
                #expect(try Self.mail(sink, to: "quiet-\(suffix)@client.example").count == 1, "notify off: only the invitation")
                #expect(!all.contains { $0.rcptTos.contains { $0.hasSuffix("client.example") } && ($0.rawText.contains("fee dispute") || ($0.text ?? "").contains("fee dispute")) })
                #expect(!all.contains { $0.rcptTos.contains(ownerEmail) && ($0.subject ?? "").contains("Year end") && ($0.text ?? "").contains("Please upload") },
                        "nobody hears of their own message")
                let clientInbox = try await ServiceHTTP(base: cluster.url(.notify), token: client).send(.GET, "/v1/inbox").json["items"] as? [[String: Any]] ?? []
                #expect(clientInbox.count == 2 && !clientInbox.contains { ($0["summary"] as? String)?.contains("fee dispute") == true }, "\(clientInbox)")
            }
        }
    }
}
