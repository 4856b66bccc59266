/// Decides, for each `[` of a prepared line, whether Ink may read it as the start of a link.
///
/// Ink tries every `[` as a link and, when one fails, backtracks and tries the next one from
/// inside the failed attempt: unclosed brackets cost exponential time (500 `[` take minutes) and
/// recursion deep enough to overflow the stack (a few thousand crash the process). So a `[` is
/// left to Ink only when it surely opens a complete link on this line, which Ink then reads in
/// one pass: `[text](destination)` with parentheses balanced, `[text][reference]`, or a
/// reference definition `[name]: address` opening the line, where the text and the reference
/// hold no `[`, `]`, backtick or backslash, and never inside inline code. Every other `[` is
/// written `&#91;`, which Ink passes through as text: links spanning lines or holding code in
/// their text are shown as typed. The `!` of an image before a link's `[` is dropped, as image
/// syntax makes a plain link.
///
/// Everything is computed once per line, so the decisions cost linear time.
struct LinkBrackets {
    private let line: [Character]
    /// For each position, the first `[`, `]`, backtick or backslash at or after it.
    private var nextStop: [Int]
    /// For each `(`, the `)` that closes it, as Ink balances them.
    private var closingParenthesis: [Int: Int] = [:]
    /// For each position, whether it is inside inline code (Ink pairs backticks left to right).
    private var inCode: [Bool]

    init(_ line: [Character]) {
        self.line = line
        nextStop = Array(repeating: line.count, count: line.count + 1)
        for index in line.indices.reversed() {
            nextStop[index] = "[]`\\".contains(line[index]) ? index : nextStop[index + 1]
        }
        var open: [Int] = []
        for (index, character) in line.enumerated() where character == "(" || character == ")" {
            if character == "(" { open.append(index) } else if let opening = open.popLast() { closingParenthesis[opening] = index }
        }
        inCode = Self.codePositions(line)
    }

    private static func codePositions(_ line: [Character]) -> [Bool] {
        let backticks = line.indices.filter { line[$0] == "`" }
        var inCode = Array(repeating: false, count: line.count)
        for pair in stride(from: 0, to: backticks.count - 1, by: 2) {
            for index in backticks[pair]...backticks[pair + 1] { inCode[index] = true }
        }
        return inCode
    }

    /// `line` with every `[` that does not surely open a link written `&#91;`.
    static func neutralized(_ line: String) -> String {
        let characters = Array(line)
        let brackets = LinkBrackets(characters)
        let firstText = characters.firstIndex { $0 != " " && $0 != "\t" }
        var result = ""
        var referenceBracket: Int?
        for (index, character) in characters.enumerated() {
            guard character == "[", index != referenceBracket else {
                result.append(character)
                continue
            }
            let opens = brackets.opensLink(at: index, startsLine: index == firstText)
            // Images are attachments, not Markdown: `![alt](url)` is read as the link `[alt](url)`.
            if opens, result.last == "!" { result.removeLast() }
            result += opens ? "[" : "&#91;"
            // The `[` of `[text][reference]` belongs to the link that opened before it.
            if opens { referenceBracket = brackets.referenceBracket(ofLinkAt: index) }
        }
        return result
    }

    /// Where the second `[` of `[text][reference]` is, for a link opening at `start`.
    func referenceBracket(ofLinkAt start: Int) -> Int? {
        let close = nextStop[start + 1]
        return close + 1 < line.count && line[close + 1] == "[" ? close + 1 : nil
    }

    /// Whether the `[` at `start` opens a link (or, opening the line, a reference definition).
    func opensLink(at start: Int, startsLine: Bool) -> Bool {
        guard !inCode[start] else { return false }
        let close = nextStop[start + 1]
        guard close < line.count, line[close] == "]", close + 1 < line.count else { return false }
        switch line[close + 1] {
        case "(": return closingParenthesis[close + 1] != nil
        case "[": return line.indices.contains(nextStop[close + 2]) && line[nextStop[close + 2]] == "]"
        case ":": return startsLine && close + 2 < line.count && (line[close + 2] == " " || line[close + 2] == "\t")
        default: return false
        }
    }
}
