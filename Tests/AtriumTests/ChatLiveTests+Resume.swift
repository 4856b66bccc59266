import AtriumRuntime
@testable import ChatService
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

/// Resuming streams, `once`, and streams across replicas.
extension ChatLiveTests {
    @Test("resuming with Last-Event-ID replays exactly what was missed, as each reader may see it, then goes on live", arguments: TestEngine.all)
    func resume(engine: TestEngine) async throws {
        try await Self.withThread(engine) { chat, id in
            var first = try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: chat.owner)
            _ = try await Self.post(chat, id, "One")
            let last = try #require(try await first.next()?.id)
            let missed = [try await Self.post(chat, id, "Two"), try await Self.post(chat, id, "Three", internal: true), try await Self.post(chat, id, "Four")]
            var team = try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: chat.owner, lastEventID: last)
            var contact = try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: chat.contact, lastEventID: last)
            let live = try await Self.post(chat, id, "Five")
            #expect(try await team.events(throughMessage: live).map { $0.json["id"] as? String } == missed + [live])
            #expect(try await contact.events(throughMessage: live).map { $0.json["id"] as? String } == [missed[0], missed[2], live])
            // `once`: the catch-up alone, and the end of the response; `lastEventId` for clients that cannot set headers.
            var once = try await EventStream.open(port: chat.port, "/v1/threads/events?once=true&lastEventId=\(last)", as: chat.contact)
            #expect(try await once.rest().map { $0.json["id"] as? String } == [missed[0], missed[2], live])
        }
    }

    @Test("a Last-Event-ID no longer kept gets reset; one never sent is refused", arguments: TestEngine.all)
    func resetAndRefusal(engine: TestEngine) async throws {
        try await Self.withThread(engine) { chat, id in
            var stream = try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events?once=true", as: chat.owner, lastEventID: "0-999999")
            let events = try await stream.rest()
            #expect(events.map(\.event) == ["reset"] && events.first?.json["reason"] != nil, "\(events)")
            for bad in ["abc", "1-", "-1-2", String(repeating: "9", count: 70)] {
                #expect(try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: chat.owner, lastEventID: bad).status == 400)
            }
            #expect(try await chat.send(.get, "/v1/threads/\(id)/events?once=maybe").status == 400)
            #expect(try await chat.send(.get, "/v1/threads/thr_missing/events?once=true").status == 404)
            #expect(try await chat.send(.get, "/v1/threads/events?once=true&accountId=acct_missing").status == 404)
        }
    }

    @Test("pruning keeps the tail of the log: a stream whose last event went gets reset", arguments: TestEngine.all)
    func pruning(engine: TestEngine) async throws {
        try await Self.withThread(engine) { chat, id in
            var first = try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: chat.owner)
            _ = try await Self.post(chat, id, "Old")
            let old = try #require(try await first.next()?.id)
            let database = try await Self.database(chat.storage)
            try await LiveLog(database: database).prune(before: EpochMillis.now() + 1)
            try await database.close()
            var resumed = try await EventStream.open(port: chat.port, "/v1/threads/\(id)/events", as: chat.owner, lastEventID: old)
            let kept = try await Self.post(chat, id, "New")
            let events = try await resumed.events(throughMessage: kept)
            #expect(events.map(\.event) == ["reset", "message.created"], "\(events)")
        }
    }

    @Test("on PostgreSQL, a change written by another replica reaches a stream at once",
          .enabled(if: TestEngine.all.count > 1))
    func acrossReplicas() async throws {
        try await TestStorage.with(TestEngine.all[1]) { storage in
            // The first replica's safety poll is an hour away: only NOTIFY can bring the change.
            let slowPoll = Self.settings.merging(["ATRIUM_CHAT_LIVE_POLL_MS": "600000"]) { _, new in new }
            let dependencies = ChatDependencies(directory: ChatWorld.directory, people: FixedPeople(), catalog: FixedCatalog())
            let watched = try await ChatService.buildApplication(try TestConfiguration.make(.chat, storage: storage, overrides: slowPoll),
                                                                 dependencies: dependencies)
            let writer = try await ChatService.buildApplication(try TestConfiguration.make(.chat, storage: storage), dependencies: dependencies)
            let owner = try await TestConfiguration.memberToken()
            try await watched.test(.live) { watching in
                try await writer.test(.router) { writing in
                    var stream = try await EventStream.open(port: watching.port, "/v1/threads/events", as: owner)
                    let created = try await writing.execute(uri: "/v1/threads", method: .post, headers: .bearer(owner),
                                                            body: try JSON.buffer(["accountId": "acct_1", "subject": "Elsewhere", "text": "From the other replica"])) {
                        try JSON.object($0.body)
                    }
                    let message = try #require(created["lastMessage"] as? [String: Any])["id"] as? String
                    let events = try await stream.events(throughMessage: try #require(message))
                    #expect(events.last?.json["threadId"] as? String == created["id"] as? String)
                }
            }
        }
    }

    /// ChatService's database in `storage`, opened beside the service.
    static func database(_ storage: TestStorage) async throws -> Database {
        try await Database.open(
            url: storage.engine.postgresURL, schema: storage.schemaPrefix + ServiceName.chat.rawValue,
            sqlitePath: storage.directory.appendingPathComponent("\(ServiceName.chat.rawValue).sqlite").path, logger: .init(label: "chat-live"))
    }
}
