/// The URLs `MarkdownInput` replaced with placeholders, and the way back.
///
/// A placeholder is U+0001, the URL's index in decimal, U+0002: Ink treats those as plain text
/// and they never come from the user, as `MarkdownInput` removes every C0 control first.
struct URLPlaceholders: Equatable {
    private(set) var urls: [ProtectedURL] = []

    private static let start: Unicode.Scalar = "\u{1}"
    private static let end: Unicode.Scalar = "\u{2}"

    /// Records `url` and answers the placeholder to put in the text instead.
    mutating func placeholder(for url: ProtectedURL) -> String {
        urls.append(url)
        return "\(Self.start)\(urls.count - 1)\(Self.end)"
    }

    /// `text` with each placeholder replaced by its address, or by what the user typed.
    func expanded(_ text: String, asTyped: Bool) -> String {
        segments(text).reduce(into: "") { result, segment in
            switch segment {
            case .text(let run): result += run
            case .url(let url): result += asTyped ? url.source : url.url
            }
        }
    }

    /// `text` split into runs and the URLs of the placeholders in it; the controls of a malformed
    /// or unknown placeholder are dropped.
    func segments(_ text: String) -> [TextSegment] {
        var segments: [TextSegment] = []
        var run = String.UnicodeScalarView()
        var scalars = text.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            guard scalar == Self.start || scalar == Self.end else {
                run.append(scalar)
                continue
            }
            guard scalar == Self.start, let url = url(atHeadOf: &scalars) else { continue }
            if !run.isEmpty { segments.append(.text(String(run))) }
            run = String.UnicodeScalarView()
            segments.append(.url(url))
        }
        if !run.isEmpty { segments.append(.text(String(run))) }
        return segments
    }

    // Reads `digits` + end marker from the front of `scalars`; leaves them alone when there is none.
    private func url(atHeadOf scalars: inout Substring.UnicodeScalarView) -> ProtectedURL? {
        let digits = scalars.prefix { ("0"..."9").contains($0) }
        let afterDigits = scalars.dropFirst(digits.count)
        guard afterDigits.first == Self.end, let index = Int(String(String.UnicodeScalarView(digits))),
              urls.indices.contains(index) else { return nil }
        scalars = afterDigits.dropFirst()
        return urls[index]
    }
}
