import AccountService
import ArgumentParser
import AsyncHTTPClient
import AtriumCluster
import AtriumRuntime
import Foundation
import NIOCore
import NIOHTTP1
import SQLKit
import Synchronization

/// The SSE fan-out: `streams` contacts of one account each hold `GET /v1/threads/{id}/events` open
/// on one thread while the owner posts `messages` messages to it, one at a time (each waits until
/// every stream has the one before). Per stream and message: the POST's send → the
/// `message.created` event arriving.
///
/// The contacts are written straight into AccountService's database (activating 1,000 by
/// invitation is ~4 minutes of bcrypt), on a new account ChatService has never been asked about,
/// so its first lookup of the account's access already lists them; their tokens are minted in
/// this process with the deployment's signing key, as AccountService would sign them at sign-in.
struct LiveFanOut: ChatMeasure {
    let streams: Int
    let messages: Int
    /// Streams opened together before waiting for their `: connected`.
    static let wave = 100

    func run(in world: ChatBenchWorld, bare: BareRoute) async throws {
        let (accountID, contacts) = try await seed(world)
        let thread = try await world.http.send(.POST, world.chat + "/v1/threads", token: world.owner,
                                               json: ["accountId": accountID, "subject": "Live fan-out", "text": chatBenchText])
        guard let threadID = thread["id"] as? String else { throw ValidationError("thread creation failed: \(thread)") }
        let signer = try await TokenSigner(accountSecret: world.secret)
        var tokens: [String] = []
        for contact in contacts {
            tokens.append("Bearer " + (try await signer.issue(for: Caller(kind: .contact, subject: contact, firmID: world.firmID))))
        }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: streams + 8)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            try await measure(world, bare: bare, thread: threadID, tokens: tokens, client: client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// One account of `world`'s firm with `streams` contacts, each with portal access and an activated login.
    private func seed(_ world: ChatBenchWorld) async throws -> (String, [String]) {
        let database = try await world.database(.account)
        let started = ContinuousClock.now
        do {
            let seeded = try await FanOutSeed.seed(streams, firm: world.firmID, in: database)
            try await database.close()
            say(String(format: "seeded one account with %d contacts, each with portal access and an activated login, STRAIGHT INTO AccountService's "
                       + "database as the bulk send's accounts are (not through the API: ~%.0f minutes of bcrypt), before ChatService first "
                       + "hears of the account: %.2f s; contact tokens minted in this process with the deployment's signing key",
                       streams, Double(streams) * 0.25 / 60, (ContinuousClock.now - started).seconds))
            return seeded
        } catch {
            try? await database.close()
            throw error
        }
    }

    private func measure(_ world: ChatBenchWorld, bare: BareRoute, thread: String, tokens: [String], client: HTTPClient) async throws {
        let chatPID = world.cluster.processes[.chat]?.processIdentifier
        let idle = BenchMemory(pid: chatPID)
        let board = FanOutBoard(messages: messages + 1)
        let url = world.chat + "/v1/threads/\(thread)/events"
        try await withThrowingTaskGroup(of: Void.self) { group in
            let opening = ContinuousClock.now
            for (index, token) in tokens.enumerated() {
                group.addTask { await Self.listen(client, url: url, token: token, index: index, board: board) }
                if (index + 1) % Self.wave == 0 || index == tokens.count - 1 {
                    try await board.waitConnected(index + 1, within: .seconds(60))
                }
            }
            let opened = (ContinuousClock.now - opening).seconds
            let open = BenchMemory(pid: chatPID)
            say(String(format: "SSE fan-out: %d streams on GET /v1/threads/{id}/events, one per contact, all `: connected` after %.1f s "
                       + "(opened %d at a time); chat-service RSS %d MiB with them open (%d MiB before: %.0f KiB per stream)",
                       streams, opened, Self.wave, open.rss / 1024, idle.rss / 1024, Double(open.rss - idle.rss) / Double(streams)))
            try await post(world, bare: bare, thread: thread, board: board)
            group.cancelAll()
        }
    }

    /// Posts one warm-up message and `messages` measured ones, each once the one before reached every stream.
    private func post(_ world: ChatBenchWorld, bare: BareRoute, thread: String, board: FanOutBoard) async throws {
        var sent: [ContinuousClock.Instant] = []
        var ids: [String] = []
        var cpuBefore = 0.0
        for index in 0...messages {
            if index == 1 { cpuBefore = world.cpu(.chat) }
            board.begin(index)
            let instant = ContinuousClock.now
            let message = try await world.http.send(.POST, world.chat + "/v1/threads/\(thread)/messages", token: world.owner,
                                                    json: ["text": chatBenchText])
            guard let id = message["id"] as? String else { throw ValidationError("message post failed: \(message)") }
            sent.append(instant)
            ids.append(id)
            try await board.waitDelivered(index, count: streams, within: .seconds(60))
        }
        let cpu = (world.cpu(.chat) - cpuBefore) * 1000 / Double(messages * streams)
        let result = try board.result(sent: sent, ids: ids)
        let all = Percentiles(result.deliveries)
        let last = Percentiles(result.lasts)
        let worst = result.deliveries.max() ?? 0
        let base = bare.latency.p50
        say(String(format: "  POST /v1/threads/{id}/messages by the owner → `message.created` on each stream, %d messages one at a time (after one warm-up) "
                   + "× %d streams = %d deliveries: p50 %.2f ms, p99 %.2f ms, max %.2f ms → %.1f×, %.1f×, %.1f× the bare route's p50 (%.2f ms)",
                   messages, streams, all.count, all.p50, all.p99, worst, all.p50 / base, all.p99 / base, worst / base, base))
        say(String(format: "  until the last stream has the message: p50 %.2f ms, max %.2f ms over the %d messages → p50 %.1f× the bare route's p50",
                   last.p50, result.lasts.max() ?? 0, messages, last.p50 / base))
        say(String(format: "  chat-service CPU %.1f µs per delivered event (its CPU over the %d posts and their deliveries / %d) → %.2f× the bare route's %.0f µs per request",
                   cpu, messages, messages * streams, cpu / bare.cpu, bare.cpu))
        if result.stray > 0 || !result.failures.isEmpty {
            say("  \(result.stray) events outside a message's window; stream failures: \(result.failures.prefix(5).joined(separator: "; "))")
        }
    }

    /// Reads one stream until cancelled, telling `board` of its `: connected` and each `message.created`.
    private static func listen(_ client: HTTPClient, url: String, token: String, index: Int, board: FanOutBoard) async {
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "authorization", value: token)
            request.headers.add(name: "accept", value: "text/event-stream")
            // The deadline covers the response head only; the body streams for as long as it is read.
            let response = try await client.execute(request, timeout: .seconds(60))
            guard response.status == .ok else {
                let body = try await response.body.collect(upTo: 1 << 16)
                board.fail("stream \(index): \(response.status) \(String(buffer: body).prefix(200))")
                return
            }
            var pending: [UInt8] = []
            var event = ""
            var data = ""
            for try await chunk in response.body {
                let arrived = ContinuousClock.now
                pending.append(contentsOf: chunk.readableBytesView)
                var start = 0
                while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[start..<newline]
                    start = newline + 1
                    if line.isEmpty {
                        if event == "message.created" { board.delivered(data, at: arrived) }
                        event = ""
                        data = ""
                    } else if line.first == UInt8(ascii: ":") {
                        if line.elementsEqual(": connected".utf8) { board.connected() }
                    } else if line.starts(with: "event:".utf8) {
                        event = String(decoding: line.dropFirst(6), as: UTF8.self).trimmingCharacters(in: .whitespaces)
                    } else if line.starts(with: "data:".utf8) {
                        data += String(decoding: line.dropFirst(5), as: UTF8.self)
                    }
                }
                pending.removeFirst(start)
            }
            if !Task.isCancelled { board.fail("stream \(index) ended") }
        } catch {
            if !Task.isCancelled { board.fail("stream \(index): \(error)") }
        }
    }
}

/// What the streams received, as they receive it.
final class FanOutBoard: Sendable {
    struct Arrival: Sendable {
        var instant: ContinuousClock.Instant
        var data: String
    }

    private struct State: Sendable {
        var connected = 0
        var current = -1
        var arrivals: [[Arrival]]
        var stray = 0
        var failures: [String] = []
    }

    private let state: Mutex<State>

    init(messages: Int) {
        state = Mutex(State(arrivals: Array(repeating: [], count: messages)))
    }

    func connected() { state.withLock { $0.connected += 1 } }

    func fail(_ why: String) { state.withLock { $0.failures.append(why) } }

    /// Events arriving from now on are message `index`'s.
    func begin(_ index: Int) { state.withLock { $0.current = index } }

    func delivered(_ data: String, at instant: ContinuousClock.Instant) {
        state.withLock { held in
            guard held.arrivals.indices.contains(held.current) else {
                held.stray += 1
                return
            }
            held.arrivals[held.current].append(Arrival(instant: instant, data: data))
        }
    }

    func waitConnected(_ count: Int, within limit: Duration) async throws {
        try await wait(within: limit, { $0.connected >= count }) { "\($0.connected) of \(count) streams connected" }
    }

    func waitDelivered(_ index: Int, count: Int, within limit: Duration) async throws {
        try await wait(within: limit, { $0.arrivals[index].count >= count }) { "message \(index) reached \($0.arrivals[index].count) of \(count) streams" }
    }

    private func wait(within limit: Duration, _ done: (State) -> Bool, _ describe: (State) -> String) async throws {
        let deadline = ContinuousClock.now + limit
        while true {
            let (finished, failures) = state.withLock { (done($0), $0.failures) }
            if finished { return }
            guard ContinuousClock.now < deadline else {
                let text = state.withLock { describe($0) }
                throw ValidationError("SSE fan-out: after \(limit), \(text); \(failures.count) stream failures: \(failures.prefix(5).joined(separator: "; "))")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Milliseconds of every measured delivery and, per measured message, of its last; message 0 is the warm-up.
    /// Checks (off the clock) that each stream's event named the message posted.
    func result(sent: [ContinuousClock.Instant], ids: [String]) throws -> (deliveries: [Double], lasts: [Double], stray: Int, failures: [String]) {
        let held = state.withLock { $0 }
        var deliveries: [Double] = []
        var lasts: [Double] = []
        for index in 1..<sent.count {
            let arrivals = held.arrivals[index]
            let expected = "\"id\":\"\(ids[index])\""
            guard arrivals.allSatisfy({ $0.data.contains(expected) }) else {
                throw ValidationError("SSE fan-out: a `message.created` during message \(index) did not name it (\(ids[index]))")
            }
            let times = arrivals.map { (sent[index].duration(to: $0.instant)).fractionalMilliseconds }
            deliveries += times
            lasts.append(times.max() ?? 0)
        }
        return (deliveries, lasts, held.stray, held.failures)
    }
}

/// One account with `count` contacts, written straight into AccountService's database the way
/// `BulkAccountSeed` writes its accounts: each contact has portal access and an activated login.
/// The account is new, so ChatService's first question about it is answered with all of them.
enum FanOutSeed {
    /// Answers the account's id and its contacts' ids.
    static func seed(_ count: Int, firm: String, in database: Database) async throws -> (String, [String]) {
        let now = EpochMillis.now()
        let account = Identifier.make("acct")
        let contacts = (0..<count).map { _ in Identifier.make("con") }
        let tag = account.suffix(8)
        try await database.transaction { db in
            try await db.insert(into: "accounts").columns("id", "firm_id", "name", "kind", "created_at", "search_key", "access_version")
                .values(SQLBind(account), SQLBind(firm), SQLBind("Fan-out Ltd"), SQLBind("company"), SQLBind(now), SQLBind("fan-out ltd"), SQLBind(0))
                .run()
            for start in stride(from: 0, to: count, by: BulkAccountSeed.rowsPerStatement) {
                let rows = start..<min(start + BulkAccountSeed.rowsPerStatement, count)
                let contactRows = db.insert(into: "contacts").columns(
                    "id", "firm_id", "email", "first_name", "last_name", "password_hash", "activated_at", "failed_logins", "locked_until", "created_at")
                let links = db.insert(into: "account_contacts").columns("account_id", "contact_id", "portal_access", "notify", "created_at")
                for index in rows {
                    contactRows.values(SQLBind(contacts[index]), SQLBind(firm), SQLBind("listener-\(index)-\(tag)@fan-out-bench.example"),
                                       SQLBind("Listener"), SQLBind("\(index)"), SQLLiteral.null, SQLBind(now), SQLBind(0), SQLLiteral.null, SQLBind(now))
                    links.values(SQLBind(account), SQLBind(contacts[index]), SQLBind(1), SQLBind(1), SQLBind(now))
                }
                try await contactRows.run()
                try await links.run()
            }
        }
        return (account, contacts)
    }
}
