/// Finds the web addresses typed in a line: bare `http://` and `https://` URLs, and the autolinks
/// `<https://…>`, `<http://…>` and `<mailto:…>`.
///
/// This only decides where an address is; whether it may become a link is `SafeLink`'s call.
enum BareURLScanner {
    typealias Match = (range: Range<Int>, url: ProtectedURL)

    /// The addresses in `line`, in order, not overlapping; ranges index `line`.
    static func matches(in line: [Character]) -> [Match] {
        var found: [Match] = []
        var index = 0
        while index < line.count {
            if let match = autolink(in: line, at: index) ?? bare(in: line, at: index) {
                found.append(match)
                index = match.range.upperBound
            } else {
                index += 1
            }
        }
        return found
    }

    // `<https://…>` or `<mailto:…>`: the brackets belong to it, as in CommonMark.
    private static func autolink(in line: [Character], at start: Int) -> Match? {
        guard line[start] == "<", let scheme = scheme(in: line, at: start + 1, among: ["https://", "http://", "mailto:"]) else {
            return nil
        }
        let end = addressEnd(in: line, from: start + 1)
        guard end < line.count, line[end] == ">", end > start + 1 + scheme.count else { return nil }
        let url = String(line[(start + 1)..<end])
        return (start..<(end + 1), ProtectedURL(url: url, source: "<\(url)>"))
    }

    // A URL in running text; one glued to a word before it (`xhttps://`) is not taken.
    private static func bare(in line: [Character], at start: Int) -> Match? {
        guard let scheme = scheme(in: line, at: start, among: ["https://", "http://"]) else { return nil }
        if start > 0, line[start - 1].isLetter || line[start - 1].isNumber { return nil }
        let end = trimmedEnd(of: line, from: start, to: addressEnd(in: line, from: start))
        guard end > start + scheme.count else { return nil }
        let url = String(line[start..<end])
        return (start..<end, ProtectedURL(url: url, source: url))
    }

    private static func scheme(in line: [Character], at start: Int, among schemes: [String]) -> String? {
        schemes.first { scheme in
            start + scheme.count <= line.count
                && zip(line[start...], scheme).allSatisfy { typed, expected in typed.lowercased() == String(expected) }
        }
    }

    private static func addressEnd(in line: [Character], from start: Int) -> Int {
        var end = start
        while end < line.count, isAddressCharacter(line[end]) { end += 1 }
        return end
    }

    // Brackets end an address so that `[text](url)` and `<url>` keep their Markdown meaning.
    private static func isAddressCharacter(_ character: Character) -> Bool {
        !character.isWhitespace && !"<>\"`[]".contains(character)
            && character.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
    }

    // Punctuation after a URL is the sentence's, and so is a `)` that closes no `(` of the URL.
    private static func trimmedEnd(of line: [Character], from start: Int, to end: Int) -> Int {
        var end = end
        var unopened = line[start..<end].reduce(0) { count, character in
            count + (character == ")" ? 1 : character == "(" ? -1 : 0)
        }
        while end > start {
            let last = line[end - 1]
            if last == ")", unopened > 0 {
                unopened -= 1
            } else if !".,:;!?*_~'\"".contains(last) {
                break
            }
            end -= 1
        }
        return end
    }
}
