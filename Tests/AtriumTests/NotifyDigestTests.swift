import AtriumRuntime
import Contracts
import Foundation
import HTTPTypes
@testable import NotifyService
import Testing

/// A team member who chose the daily digest gets one e-mail a day instead of one per notice,
/// driven by the test's clock.
@Suite("NotifyService: the daily digest")
struct NotifyDigestTests {
    typealias Bodies = ChatEventBodies

    @Test("with the digest on, notices wait (Inbox+ unchanged) and go out as one e-mail at the digest hour; nothing waiting, nothing sent",
          arguments: TestEngine.all)
    func digest(engine: TestEngine) async throws {
        let clock = ManualJobClock(now: EpochMillis.now())
        try await NotifyWorld.run(engine, clock: clock) { world in
            let (status, preferences) = try await world.send(.put, "/v1/notification-preferences", ["digest": true], as: world.owner)
            #expect(status == 200 && preferences["digest"] as? Bool == true, "\(preferences)")
            for text in ["First", "Second", "Third"] {
                #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("con_1", "contact"), text: text)) == 204)
            }
            _ = try await world.waitForInbox(world.owner, count: 3)
            // An e-mail for the client (someone not on the digest) shows e-mail still flows.
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("mem_asg", "member"))) == 204)
            try await eventually("the client's e-mail") { world.mailer.sent.contains { $0.to.first?.email == "carla@client.example" } }
            #expect(!world.mailer.sent.contains { $0.to.first?.email == "olive@firm.example" }, "nothing e-mailed one by one")

            let now = clock.now()
            clock.advance(by: DigestJob.next(after: now, hour: 7) - now + 1_000)
            try await eventually("the digest") { world.mailer.sent.contains { $0.to.first?.email == "olive@firm.example" } }
            let digest = try #require(world.mailer.sent.first { $0.to.first?.email == "olive@firm.example" })
            #expect(digest.subject == "Your daily digest: 4 updates", "three replies and the assigned member's reply")
            #expect(["First", "Second", "Third"].allSatisfy { digest.text.contains($0) } && digest.text.contains("https://portal.example/threads/thr_1"))

            // The next day with nothing waiting sends nothing; then one notice makes a digest of one.
            clock.advance(by: DigestJob.dayMillis)
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("con_1", "contact"), text: "Late")) == 204)
            _ = try await world.waitForInbox(world.owner, count: 5)
            clock.advance(by: DigestJob.dayMillis)
            try await eventually("the second digest") { world.mailer.sent.filter { $0.to.first?.email == "olive@firm.example" }.count == 2 }
            let second = try #require(world.mailer.sent.last { $0.to.first?.email == "olive@firm.example" })
            #expect(second.subject == "Your daily digest: 1 update" && second.text.contains("Late"))

            // Off again: the next notice is e-mailed at once.
            #expect(try await world.send(.put, "/v1/notification-preferences", ["digest": false], as: world.owner).json["digest"] as? Bool == false)
            #expect(try await world.deliver(EventTypes.chatMessageCreated, Bodies.message(author: Bodies.author("con_1", "contact"), text: "Now")) == 204)
            try await eventually("the e-mail at once") { world.mailer.sent.contains { $0.to.first?.email == "olive@firm.example" && $0.text.contains("Now") } }
        }
    }
}
