import ArgumentParser
import AtriumRuntime
import Foundation
import NIOHTTP1

/// A bulk send to `accounts` accounts, from the POST to the bulk send reading `done`.
struct BulkSendMeasure: ChatMeasure {
    let accounts: Int

    func run(in world: ChatBenchWorld, bare: BareRoute) async throws {
        let ids = try await seed(world)
        let (chatBefore, accountBefore) = (world.cpu(.chat), world.cpu(.account))
        let started = ContinuousClock.now
        let bulk = try await world.http.send(.POST, world.chat + "/v1/bulk-sends", token: world.owner, json: [
            "accountIds": ids, "subject": "Year end documents", "text": chatBenchText,
        ], timeout: 120)
        let accepted = (ContinuousClock.now - started).fractionalMilliseconds
        guard let id = bulk["id"] as? String else { throw ValidationError("bulk send not accepted: \(bulk)") }
        let state = try await done(id, world: world, since: started)
        let seconds = (ContinuousClock.now - started).seconds
        let perAccount = seconds * 1000 / Double(accounts)
        say(String(format: "bulk send of %d accounts, POST /v1/bulk-sends (202 after %.0f ms) → GET /v1/bulk-sends/{id} says done (polled every 50 ms): "
                   + "%.1f s end to end, %.0f accounts/s, %.2f ms per account → %.1f× the bare route's p50 (%.2f ms)",
                   accounts, accepted, seconds, Double(accounts) / seconds, perAccount, perAccount / bare.latency.p50, bare.latency.p50))
        say(String(format: "  CPU per account: chat-service %.0f µs, account-service %.0f µs (the lookups) — bare route %.0f µs per request",
                   (world.cpu(.chat) - chatBefore) * 1000 / Double(accounts), (world.cpu(.account) - accountBefore) * 1000 / Double(accounts), bare.cpu))
        let (sent, skipped) = (Self.int(state["sent"]), Self.int(state["skipped"]))
        say("  sent \(sent), skipped \(skipped) of \(accounts)" + (sent == accounts ? ": every account got its thread" : ": NOT every account was sent"))
        if sent != accounts { try await explainSkipped(id, world: world) }
    }

    /// The accounts, written into AccountService's database; their ids.
    private func seed(_ world: ChatBenchWorld) async throws -> [String] {
        let database = try await world.database(.account)
        let started = ContinuousClock.now
        do {
            let ids = try await BulkAccountSeed.seed(accounts, firm: world.firmID, in: database)
            try await database.close()
            say(String(format: "seeded %d accounts, each with one contact with portal access and an activated login, STRAIGHT INTO AccountService's "
                       + "database (not through the API: activating that many contacts by invitation is ~%.0f minutes of bcrypt): %.2f s",
                       accounts, Double(accounts) * 0.25 / 60, (ContinuousClock.now - started).seconds))
            return ids
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// Polls the bulk send until it is done (at most 30 minutes); its last state.
    private func done(_ id: String, world: ChatBenchWorld, since started: ContinuousClock.Instant) async throws -> [String: Any] {
        while ContinuousClock.now - started < .seconds(1800) {
            let state = try await world.http.send(.GET, world.chat + "/v1/bulk-sends/\(id)", token: world.owner)
            if state["status"] as? String == "done" { return state }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ValidationError("bulk send \(id) not done after 30 minutes")
    }

    private func explainSkipped(_ id: String, world: ChatBenchWorld) async throws {
        let page = try await world.http.send(.GET, world.chat + "/v1/bulk-sends/\(id)/items?status=skipped&limit=5", token: world.owner)
        for item in page["items"] as? [[String: Any]] ?? [] {
            say("  skipped \(item["accountId"] ?? ""): \(item["reason"] ?? "") \(item["detail"] ?? "")")
        }
    }

    static func int(_ value: Any?) -> Int { (value as? NSNumber)?.intValue ?? -1 }
}
