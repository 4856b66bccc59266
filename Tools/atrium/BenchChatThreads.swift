import ArgumentParser
import AtriumRuntime
import Foundation
import NIOHTTP1

/// A message as a firm writes one: a little Markdown, rendered and sanitised on every post.
let chatBenchText = "Hello — could you upload **March's bank statements** and check the figures in the [summary](https://example.com/summary)?\n\nThanks!"

/// Thread list latency in one account holding `threads` threads, all created through the API.
struct ThreadListLatency: ChatMeasure {
    let threads: Int

    func run(in world: ChatBenchWorld, bare: BareRoute) async throws {
        let seconds = try await ChatLoad.each(threads, workers: world.workers) { index in
            try await world.http.send(.POST, world.chat + "/v1/threads", token: world.owner, json: Self.thread(index, account: world.accountID))
        }
        say(String(format: "seeded %d threads in one account through POST /v1/threads (%d connections; 1 in 10 with two client tasks): %.1f s, %.0f threads/s",
                   threads, world.workers, seconds, Double(threads) / seconds))
        let list = world.chat + "/v1/threads?accountId=\(world.accountID)&limit=50"
        let (deep, depth) = try await cursor(list, pages: max(1, threads / 100), world: world)
        let routes = [
            ("first page, GET /v1/threads?accountId=…&limit=50", list),
            ("page \(depth + 1) by cursor (thread \(depth * 50 + 1) of \(threads))", list + "&cursor=\(deep)"),
            ("first page of tasks=incomplete (1 thread in 10 matches)", list + "&tasks=incomplete"),
            ("first page of tasks=complete (no thread matches: the whole account is read)", list + "&tasks=complete"),
        ]
        say("thread list latency, \(threads) threads in the account, one request at a time, each beside a bare request:")
        for (label, url) in routes {
            let before = world.cpu(.chat)
            let (measured, baseline) = try await ChatLoad.paired(samples: world.samples, bare: world.bare) {
                try await world.http.send(.GET, url, token: world.owner)
            }
            // Every sample ran one list and one bare request (warm-up included): take the bare route's share off.
            let cpu = (world.cpu(.chat) - before) * 1000 / Double(world.samples + world.samples / 10) - bare.cpu
            say(String(format: "  %@: %@ — bare %@ → p50 %.1f×, p99 %.1f×; chat-service CPU ~%.0f µs per list",
                       label, measured.text, baseline.text, measured.p50 / baseline.p50, measured.p99 / baseline.p99, cpu))
        }
    }

    static func thread(_ index: Int, account: String) -> [String: Any] {
        var body: [String: Any] = ["accountId": account, "subject": "Year end \(index)", "text": chatBenchText]
        if index % 10 == 0 { body["tasks"] = [["text": "Upload the bank statements"], ["text": "Sign the accounts"]] }
        return body
    }

    /// The cursor after `pages` pages (fewer if the list ends first), and how many pages that is.
    private func cursor(_ list: String, pages: Int, world: ChatBenchWorld) async throws -> (String, Int) {
        var cursor = ""
        var walked = 0
        while walked < pages {
            let page = try await world.http.send(.GET, list + (cursor.isEmpty ? "" : "&cursor=\(cursor)"), token: world.owner)
            guard let next = page["nextCursor"] as? String else { break }
            cursor = next
            walked += 1
        }
        guard walked > 0 else { throw ValidationError("the thread list has a single page: give --threads above 50") }
        return (cursor, walked)
    }
}

/// Message posts per second by the firm's owner, spread over some threads of one account.
struct MessagePostThroughput: ChatMeasure {
    static let spread = 32

    func run(in world: ChatBenchWorld, bare: BareRoute) async throws {
        var ids: [String] = []
        for index in 0..<Self.spread {
            let thread = try await world.http.send(.POST, world.chat + "/v1/threads", token: world.owner,
                                                   json: ["accountId": world.accountID, "subject": "Posts \(index)", "text": chatBenchText])
            guard let id = thread["id"] as? String else { throw ValidationError("thread creation failed: \(thread)") }
            ids.append(id)
        }
        let threads = ids
        let post = { @Sendable (thread: String) async throws -> Void in
            try await world.http.send(.POST, world.chat + "/v1/threads/\(thread)/messages", token: world.owner, json: ["text": chatBenchText])
        }
        _ = try await ChatLoad.rate(workers: world.workers, seconds: 1) { worker, done in try await post(threads[(worker + done) % threads.count]) }
        let before = world.cpu(.chat)
        let (rate, count) = try await ChatLoad.rate(workers: world.workers, seconds: world.seconds) { worker, done in
            try await post(threads[(worker + done * world.workers) % threads.count])
        }
        let cpu = (world.cpu(.chat) - before) * 1000 / Double(count)
        say(String(format: "message post, POST /v1/threads/{id}/messages by the owner, %d connections over %d threads: %.0f req/s (%d in %d s) → %.3f of bare (%.0f req/s)",
                   world.workers, threads.count, rate, count, world.seconds, rate / bare.rate, bare.rate))
        say(String(format: "  chat-service CPU %.0f µs per post → %.1f× the bare route's %.0f µs", cpu, cpu / bare.cpu, bare.cpu))
        let (measured, baseline) = try await ChatLoad.paired(samples: world.samples, bare: world.bare) { try await post(threads[0]) }
        say(String(format: "  one at a time: %@ — bare %@ → p50 %.1f×", measured.text, baseline.text, measured.p50 / baseline.p50))
    }
}
