import CCurl
import Foundation
import NIOCore

/// One libcurl easy transfer, performed on a thread of its own (libcurl blocks), and the state its
/// callbacks share with the task awaiting it. Callbacks run on that thread only.
final class Transfer: @unchecked Sendable {
    /// Where the response body goes.
    enum Sink {
        case collect(limit: Int)
        case channel(ByteChannel)
    }

    let request: CurlRequest
    let sink: Sink
    /// The queue a streamed request body arrives through.
    let upload: ByteChannel?
    /// Whether the protocol answers in numbered reply lines worth keeping for an error (not HTTP's headers).
    private let keepsReplies: Bool

    private let lock = NSLock()
    // Under `lock`:
    private var cancelled = false
    private var headers = CurlHeaders()
    private var headPublished = false
    /// The last numbered reply line (SMTP's `250 OK`); HTTP's header lines are never kept here.
    private var lastReply: String?
    private var waitingForHead: CheckedContinuation<(Int, CurlHeaders), any Error>?
    // On the transfer's thread only:
    private var handle: UnsafeMutableRawPointer?
    private var uploadOffset = 0
    private(set) var collected = ByteBuffer()
    private(set) var overflowed = false

    init(request: CurlRequest, sink: Sink, upload: ByteChannel?) {
        self.request = request
        self.sink = sink
        self.upload = upload
        keepsReplies = !request.url.lowercased().hasPrefix("http")
    }

    /// Runs the transfer to its end; the answer's status code.
    func run() async -> Result<Int, CurlError> {
        await withCheckedContinuation { continuation in
            start { continuation.resume(returning: $0) }
        }
    }

    /// Starts the transfer, resuming `head` with the status and headers once the body starts
    /// (or the transfer ends); the body goes on into the sink's channel.
    func start(head: CheckedContinuation<(Int, CurlHeaders), any Error>) {
        lock.withLock { waitingForHead = head }
        start { [self] result in
            switch result {
            case .success(let status):
                publishHead(status: status)
                if case .channel(let channel) = sink { channel.finish() }
            case .failure(let error):
                let waiting = lock.withLock {
                    headPublished = true
                    defer { waitingForHead = nil }
                    return waitingForHead
                }
                waiting?.resume(throwing: error)
                if case .channel(let channel) = sink { channel.finish(error) }
            }
        }
    }

    /// Stops the transfer at the next callback, waking any that waits.
    func cancel() {
        lock.withLock { cancelled = true }
        upload?.finish(CancellationError())
        if case .channel(let channel) = sink { channel.cancel() }
    }

    var isCancelled: Bool { lock.withLock { cancelled } }
    var responseHeaders: CurlHeaders { lock.withLock { headers } }

    private func start(_ done: @escaping @Sendable (Result<Int, CurlError>) -> Void) {
        let thread = Thread { [self] in
            performBlocking { result in
                // Nobody reads a streamed request body any more: its writer's waits end.
                upload?.cancel()
                done(result)
            }
        }
        thread.name = "atrium-curl"
        thread.start()
    }

    /// Performs the transfer and hands `finish` its result before the handle is cleaned up: closing
    /// the connection can take a round trip (SMTP's QUIT) that the caller need not wait for — an
    /// e-mail the server took is then recorded as sent that much sooner.
    private func performBlocking(_ finish: (Result<Int, CurlError>) -> Void) {
        guard Curl.initialized, let handle = curl_easy_init() else { return finish(.failure(.unavailable)) }
        self.handle = handle
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        var setup = CurlSetup(handle: handle)
        defer {
            curl_easy_cleanup(handle)
            setup.freeLists()
            errorBuffer.deallocate()
        }
        setup.pointer(CURLOPT_ERRORBUFFER, errorBuffer)
        configure(&setup)
        var code = setup.code
        if code == CURLE_OK { code = curl_easy_perform(handle) }
        var status = 0
        _ = atr_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        guard code == CURLE_OK else {
            // The server's own answer explains a refusal (an SMTP 451 or 550) better than curl's code.
            var failure = CurlError.from(code, buffer: errorBuffer)
            failure.responseCode = status > 0 ? status : nil
            failure.reply = lock.withLock { lastReply }
            return finish(.failure(failure))
        }
        finish(.success(status))
    }

    private func configure(_ setup: inout CurlSetup) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        setup.string(CURLOPT_URL, request.url)
        // Threads and signals do not mix: no SIGALRM for DNS timeouts, no SIGPIPE.
        setup.long(CURLOPT_NOSIGNAL, 1)
        setup.string(CURLOPT_PROTOCOLS_STR, request.protocols)
        setup.long(CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout.components.seconds * 1000))
        if let timeout = request.timeout { setup.long(CURLOPT_TIMEOUT_MS, Int(timeout.components.seconds * 1000)) }
        setup.long(CURLOPT_NOPROGRESS, 0)
        setup.pointer(CURLOPT_XFERINFODATA, me)
        setup.code = setup.code == CURLE_OK ? atr_setopt_xferinfo_callback(setup.handle, progressCallback) : setup.code
        setup.callback(CURLOPT_HEADERFUNCTION, headerCallback)
        setup.pointer(CURLOPT_HEADERDATA, me)
        setup.callback(CURLOPT_WRITEFUNCTION, writeCallback)
        setup.pointer(CURLOPT_WRITEDATA, me)
        configureBody(&setup, userdata: me)
        switch request.method?.uppercased() ?? "GET" {
        case "GET": break
        case "HEAD": setup.long(CURLOPT_NOBODY, 1)
        case "PUT" where setup.uploads: break
        case let method: setup.string(CURLOPT_CUSTOMREQUEST, method)
        }
        setup.list(CURLOPT_HTTPHEADER, request.headers.map { "\($0.name): \($0.value)" })
        if let credentials = request.credentials {
            setup.string(CURLOPT_USERNAME, credentials.user)
            setup.string(CURLOPT_PASSWORD, credentials.password)
        }
        if let provider = request.awsSigV4 { setup.string(CURLOPT_AWS_SIGV4, provider) }
        for option in request.options {
            switch option {
            case .long(let option, let value): setup.long(option, value)
            case .string(let option, let value): setup.string(option, value)
            case .strings(let option, let values): setup.list(option, values)
            }
        }
    }

    private func configureBody(_ setup: inout CurlSetup, userdata: UnsafeMutableRawPointer) {
        let length: Int64
        switch request.body {
        case .none:
            // PUT and POST say "no body" with Content-Length: 0, as servers expect.
            guard let method = request.method?.uppercased(), method == "PUT" || method == "POST" else { return }
            length = 0
        case .bytes(let bytes):
            length = Int64(bytes.readableBytes)
            setup.pointer(CURLOPT_SEEKDATA, userdata)
            setup.code = setup.code == CURLE_OK ? atr_setopt_seek_callback(setup.handle, seekCallback) : setup.code
        case .stream(let streamLength, _):
            length = streamLength ?? -1
        }
        setup.uploads = true
        setup.long(CURLOPT_UPLOAD, 1)
        setup.offset(CURLOPT_INFILESIZE_LARGE, length)
        setup.callback(CURLOPT_READFUNCTION, readCallback)
        setup.pointer(CURLOPT_READDATA, userdata)
    }

    // MARK: Callbacks, on the transfer's thread

    fileprivate func received(header bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self)
        lock.withLock {
            if keepsReplies, Self.isNumberedReply(line) { lastReply = line.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard !headPublished else { return }
            // A new status line (after `100 Continue`, say) starts a new set of headers.
            if line.hasPrefix("HTTP/") { headers = CurlHeaders() } else { headers.append(line: line) }
        }
    }

    fileprivate func received(body bytes: UnsafeRawBufferPointer) -> Int {
        if let handle {
            var status = 0
            _ = atr_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            publishHead(status: status)
        }
        switch sink {
        case .collect(let limit):
            guard collected.readableBytes + bytes.count <= limit else {
                overflowed = true
                return 0
            }
            collected.writeBytes(bytes)
            return bytes.count
        case .channel(let channel):
            return channel.pushBlocking(ByteBuffer(bytes: bytes)) ? bytes.count : 0
        }
    }

    fileprivate func send(into target: UnsafeMutableRawBufferPointer) -> Int {
        switch request.body {
        case .none: return 0
        case .bytes(let bytes):
            let count = min(target.count, bytes.readableBytes - uploadOffset)
            bytes.withUnsafeReadableBytes { source in
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[uploadOffset..<(uploadOffset + count)]))
            }
            uploadOffset += count
            return count
        case .stream:
            switch upload?.pullBlocking(into: target) ?? .end {
            case .bytes(let count): return count
            case .end: return 0
            case .failed: return atr_readfunc_abort()
            }
        }
    }

    fileprivate func seek(to offset: Int64) -> Bool {
        guard case .bytes(let bytes) = request.body, offset >= 0, offset <= bytes.readableBytes else { return false }
        uploadOffset = Int(offset)
        return true
    }

    /// `250 OK` or `250-SIZE 1000`: a reply line of SMTP (libcurl hands the replies of such
    /// protocols to the header callback).
    static func isNumberedReply(_ line: String) -> Bool {
        let start = line.utf8.prefix(4)
        return start.count == 4 && start.prefix(3).allSatisfy { (0x30...0x39).contains($0) }
            && (start.last == UInt8(ascii: " ") || start.last == UInt8(ascii: "-"))
    }

    private func publishHead(status: Int) {
        let (waiting, headers) = lock.withLock {
            guard !headPublished else { return (nil as CheckedContinuation<(Int, CurlHeaders), any Error>?, self.headers) }
            headPublished = true
            defer { waitingForHead = nil }
            return (waitingForHead, self.headers)
        }
        waiting?.resume(returning: (status, headers))
    }
}

// C function pointers cannot capture: each finds its transfer through the userdata pointer.

private let headerCallback: atr_io_callback = { buffer, size, count, userdata in
    let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
    transfer.received(header: UnsafeRawBufferPointer(start: buffer, count: size * count))
    return size * count
}

private let writeCallback: atr_io_callback = { buffer, size, count, userdata in
    let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
    return transfer.received(body: UnsafeRawBufferPointer(start: buffer, count: size * count))
}

private let readCallback: atr_io_callback = { buffer, size, count, userdata in
    let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
    return transfer.send(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
}

private let seekCallback: atr_seek_callback = { userdata, offset, origin in
    let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
    return origin == SEEK_SET && transfer.seek(to: Int64(offset)) ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_CANTSEEK
}

private let progressCallback: atr_xferinfo_callback = { userdata, _, _, _, _ in
    Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue().isCancelled ? 1 : 0
}
