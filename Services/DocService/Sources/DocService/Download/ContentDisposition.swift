import Foundation

/// A `Content-Disposition: attachment` header that no file name can break out of.
enum ContentDisposition {
    /// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>`: quotes,
    /// backslashes, CR/LF and other controls, and path separators never reach the header.
    static func attachment(_ name: String) -> String {
        let cleaned = String(String.UnicodeScalarView(name.unicodeScalars.filter { scalar in
            !CharacterSet.controlCharacters.contains(scalar) && !"\"\\/".unicodeScalars.contains(scalar)
        }))
        let safe = cleaned.trimmingCharacters(in: .whitespaces).isEmpty ? "download" : cleaned
        let ascii = String(String.UnicodeScalarView(safe.unicodeScalars.map { $0.isASCII ? $0 : "_" }))
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(percentEncoded(safe))"
    }

    /// RFC 5987 `value-chars`: attr-char as is, every other byte `%XX`.
    private static func percentEncoded(_ text: String) -> String {
        let attrChar = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&+-.^_`|~".utf8)
        return text.utf8.map { attrChar.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }
}

/// One `Range: bytes=…` request header, as far as we serve ranges (one range; anything else
/// is ignored and the whole document sent, as RFC 9110 allows).
enum ByteRange: Equatable {
    case from(Int64, to: Int64?)
    case suffix(Int64)

    init?(header: String?) {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let count = Int64(parts[1]), count >= 0 else { return nil }
            self = .suffix(count)
        } else {
            guard let first = Int64(parts[0]), first >= 0 else { return nil }
            if parts[1].isEmpty {
                self = .from(first, to: nil)
            } else {
                guard let last = Int64(parts[1]), last >= first else { return nil }
                self = .from(first, to: last)
            }
        }
    }

    /// The inclusive byte range of a document of `size` bytes; nil when none of it exists (416).
    func resolve(size: Int64) -> ClosedRange<Int64>? {
        switch self {
        case .from(let first, let last):
            guard first < size else { return nil }
            return first...min(last ?? size - 1, size - 1)
        case .suffix(let count):
            guard count > 0, size > 0 else { return nil }
            return max(0, size - count)...(size - 1)
        }
    }
}
