import Foundation
import NIOPosix

/// Keeps a firm's webhooks off internal addresses (SSRF): every address a target's host resolves
/// to must be public, at creation and again right before each connection.
///
/// Resolution is `getaddrinfo`, which also reads the host spellings a URL parser might not (decimal
/// `2130706433`, octal `0177.0.0.1`, hex `0x7f.1`, short `127.1`), so what is checked is what would
/// be connected to.
enum WebhookTarget {
    /// A checked target: for `http`, the URL to connect to (host replaced by the checked address) and
    /// the `Host` header to send; for `https`, the URL itself (see docs/DECISIONS.md, "Webhooks").
    struct Pinned: Sendable {
        var url: String
        var hostHeader: String?
    }

    /// Checks `url`'s host; throws `RuntimeError.invalidBody` naming the first internal address.
    /// A name that does not resolve passes here (it is checked again at every delivery).
    static func vet(_ url: String) async throws {
        guard let (host, port) = hostAndPort(url) else { throw RuntimeError.invalidBody("url has no host.") }
        let addresses = (try? await resolve(host, port: port)) ?? []
        if let refusal = addresses.lazy.compactMap({ address in refusal(of: address).map { (address, $0) } }).first {
            throw RuntimeError.invalidBody(
                "url's host \(host) is \(refusal.0), \(refusal.1); a firm's webhooks may only target public addresses.")
        }
    }

    /// Resolves and checks `url`'s host now, and pins plain `http` to the checked address.
    static func pin(_ url: String) async throws -> Pinned {
        guard let (host, port) = hostAndPort(url), var components = URLComponents(string: url) else {
            throw WebhookTargetRefused(reason: "url has no host")
        }
        let addresses = try await resolve(host, port: port)
        guard let first = addresses.first else { throw WebhookTargetRefused(reason: "\(host) does not resolve") }
        for address in addresses {
            if let why = refusal(of: address) { throw WebhookTargetRefused(reason: "refused: \(host) is \(address), \(why)") }
        }
        guard components.scheme?.lowercased() == "http" else { return Pinned(url: url, hostHeader: nil) }
        let hostHeader = components.percentEncodedHost.map { host in components.port.map { "\(host):\($0)" } ?? host }
        components.percentEncodedHost = first.urlHost
        components.port = port
        return Pinned(url: components.string ?? url, hostHeader: hostHeader)
    }

    static func hostAndPort(_ url: String) -> (String, Int)? {
        guard let components = URLComponents(string: url), var host = components.host, !host.isEmpty else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, components.port ?? (components.scheme?.lowercased() == "https" ? 443 : 80))
    }

    /// Every address `host` resolves to (`getaddrinfo`, off the event loops).
    static func resolve(_ host: String, port: Int) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = FreeSocketType.stream
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0 else { throw WebhookTargetRefused(reason: "\(host) does not resolve") }
            defer { freeaddrinfo(list) }
            var addresses: [IPAddress] = []
            var next = list
            while let entry = next {
                if let address = IPAddress(entry.pointee.ai_addr) { addresses.append(address) }
                next = entry.pointee.ai_next
            }
            return addresses
        }
    }

    /// Why `address` is not a public address; nil when it is.
    static func refusal(of address: IPAddress) -> String? {
        switch address {
        case .v4(let a): refusal(v4: a)
        case .v6(let b): refusal(v6: b)
        }
    }

    private static func refusal(v4 a: UInt32) -> String? {
        func within(_ network: UInt32, _ bits: UInt32) -> Bool { bits == 0 || a >> (32 - bits) == network >> (32 - bits) }
        let ranges: [(UInt32, UInt32, String)] = [
            (0x0000_0000, 8, "an unspecified (\"this network\") address"), (0x7F00_0000, 8, "a loopback address"),
            (0x0A00_0000, 8, "a private address"), (0xAC10_0000, 12, "a private address"), (0xC0A8_0000, 16, "a private address"),
            (0xA9FE_0000, 16, "a link-local address"), (0x6440_0000, 10, "a shared (carrier-grade NAT) address"),
            (0xC000_0000, 24, "an IETF protocol address"), (0xC612_0000, 15, "a benchmarking address"),
            (0xE000_0000, 4, "a multicast address"), (0xF000_0000, 4, "a reserved address"),
        ]
        return ranges.first { within($0.0, $0.1) }?.2
    }

    private static func refusal(v6 b: [UInt8]) -> String? {
        let embedded = { (offset: Int) in UInt32(b[offset]) << 24 | UInt32(b[offset + 1]) << 16 | UInt32(b[offset + 2]) << 8 | UInt32(b[offset + 3]) }
        if b[0..<15].allSatisfy({ $0 == 0 }) { return b[15] == 1 ? "a loopback address" : "an unspecified address" }
        // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d): the IPv4 address decides.
        if b[0..<10].allSatisfy({ $0 == 0 }) && ((b[10] == 0xFF && b[11] == 0xFF) || (b[10] == 0 && b[11] == 0)) {
            return refusal(v4: embedded(12))
        }
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xFF, b[3] == 0x9B { return refusal(v4: embedded(12)) }
        if b[0] == 0x20, b[1] == 0x02 { return refusal(v4: embedded(2)) }  // 6to4
        if b[0] & 0xFE == 0xFC { return "a private (unique local) address" }
        if b[0] == 0xFE, b[1] & 0xC0 == 0x80 { return "a link-local address" }
        if b[0] == 0xFE, b[1] & 0xC0 == 0xC0 { return "a site-local address" }
        if b[0] == 0xFF { return "a multicast address" }
        return nil
    }
}

/// A delivery refused before connecting: the target is (now) an internal address.
struct WebhookTargetRefused: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// An IPv4 or IPv6 address, as `getaddrinfo` returned it.
enum IPAddress: Equatable, CustomStringConvertible {
    case v4(UInt32)
    case v6([UInt8])

    init?(_ pointer: UnsafeMutablePointer<sockaddr>?) {
        guard let pointer else { return nil }
        switch Int32(pointer.pointee.sa_family) {
        case AF_INET:
            let address = pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            self = .v4(UInt32(bigEndian: address))
        case AF_INET6:
            var bytes = [UInt8](repeating: 0, count: 16)
            pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                withUnsafeBytes(of: sin6.pointee.sin6_addr) { bytes = Array($0) }
            }
            self = .v6(bytes)
        default:
            return nil
        }
    }

    var description: String {
        switch self {
        case .v4(let a): return [24, 16, 8, 0].map { String((a >> $0) & 0xFF) }.joined(separator: ".")
        case .v6(let b):
            return stride(from: 0, to: 16, by: 2).map { String(UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]), radix: 16) }.joined(separator: ":")
        }
    }

    /// The address as a URL host: IPv6 in brackets.
    var urlHost: String {
        if case .v6 = self { return "[\(description)]" }
        return description
    }
}

/// `SOCK_STREAM` as `addrinfo.ai_socktype` wants it on each platform.
enum FreeSocketType {
    #if os(Linux)
    static let stream = Int32(SOCK_STREAM.rawValue)
    #else
    static let stream = SOCK_STREAM
    #endif
}
