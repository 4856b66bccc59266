import Foundation
import Synchronization

/// Loopback ports nobody is listening on.
public enum FreePorts {
    #if os(Linux)
    static let streamType = Int32(SOCK_STREAM.rawValue)
    #else
    static let streamType = SOCK_STREAM
    #endif

    /// `count` free ports below the kernel's ephemeral range, never handed out twice by this process.
    ///
    /// Not ports the kernel picks: those come from the ephemeral range, where every outgoing
    /// connection also takes its source port, so a port released here could be taken by a client
    /// before the service binds it ("Address already in use" under a busy test run).
    public static func take(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        for _ in 0..<(count * 200) where ports.count < count {
            let port = Int.random(in: 10_000..<min(32_000, ephemeralStart))
            guard !ports.contains(port), isFree(port), claim(port) else { continue }
            ports.append(port)
        }
        guard ports.count == count else { throw POSIXError(.EADDRINUSE) }
        return ports
    }

    /// The first port of the kernel's ephemeral range (`ip_local_port_range`), 32768 if unknown.
    static let ephemeralStart: Int = {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
    }()

    private static let handedOut = Mutex<Set<Int>>([])

    /// Records `port` as handed out; false if it already was.
    private static func claim(_ port: Int) -> Bool {
        handedOut.withLock { $0.insert(port).inserted }
    }

    /// A port p such that p…p+count-1 are all free right now.
    public static func consecutive(_ count: Int) throws -> Int {
        for _ in 0..<100 {
            let base = Int.random(in: 10_000...(min(32_000, ephemeralStart) - count))
            if (base..<(base + count)).allSatisfy(isFree) { return base }
        }
        throw POSIXError(.EADDRINUSE)
    }

    public static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, streamType, 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
