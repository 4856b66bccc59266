/// Reads an HTML string into text and tags, leniently and in the spirit of the HTML standard's
/// tokenizer: a `<` starts a tag only before an ASCII letter (or `/` and a letter), `<!` and `<?`
/// start something that is dropped up to the next `>` (`<!--` up to `-->`), attribute values may
/// be quoted either way or not at all, and a tag cut off by the end of the input is dropped.
///
/// Being wrong here cannot make output unsafe, since `HTMLSanitizer` writes everything anew; it
/// could only lose text. It works on Unicode scalars, as browsers do.
struct HTMLTokenizer {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var textStart = 0
    private var tokens: [HTMLToken] = []

    private init(_ html: String) {
        scalars = Array(html.unicodeScalars)
    }

    static func tokens(in html: String) -> [HTMLToken] {
        var tokenizer = HTMLTokenizer(html)
        tokenizer.run()
        return tokenizer.tokens
    }

    private mutating func run() {
        while index < scalars.count {
            if scalars[index] == "<", let markupEnd = markupEnd(at: index) {
                flushText(upTo: index)
                readMarkup(upTo: markupEnd)
                index = markupEnd
                textStart = index
            } else {
                index += 1
            }
        }
        flushText(upTo: scalars.count)
    }

    private mutating func flushText(upTo end: Int) {
        guard end > textStart else { return }
        tokens.append(.text(string(textStart..<end)))
    }

    // Where the markup opened by the `<` at `start` ends (just past its `>`), nil when that `<`
    // is text; markup running off the end ends there.
    private func markupEnd(at start: Int) -> Int? {
        let next = scalar(at: start + 1)
        if next == "!" || next == "?" {
            return hasPrefix("<!--", at: start) ? commentEnd(after: start + 4) : end(ofTagFrom: start + 1)
        }
        let nameStart = next == "/" ? start + 2 : start + 1
        if next == "/", scalar(at: nameStart) == ">" { return nameStart + 1 }
        guard let first = scalar(at: nameStart), first.properties.isAlphabetic, first.isASCII else { return nil }
        return end(ofTagFrom: nameStart)
    }

    private func commentEnd(after start: Int) -> Int {
        var position = start
        while position < scalars.count, !hasPrefix("-->", at: position) { position += 1 }
        return min(position + 3, scalars.count)
    }

    // Past the first `>` outside a quoted attribute value, or the end of the input.
    private func end(ofTagFrom start: Int) -> Int {
        var position = start
        var quote: Unicode.Scalar?
        while position < scalars.count {
            let current = scalars[position]
            if let open = quote {
                if current == open { quote = nil }
            } else if current == ">" {
                return position + 1
            } else if current == "\"" || current == "'", opensValue(at: position) {
                quote = current
            }
            position += 1
        }
        return scalars.count
    }

    // A quote opens a value only after `=` (spaces allowed between them).
    private func opensValue(at position: Int) -> Bool {
        var before = position - 1
        while before > 0, scalars[before].properties.isWhitespace { before -= 1 }
        return before >= 0 && scalars[before] == "="
    }

    // Only complete tags become tokens: comments, declarations and cut-off tags are dropped.
    private mutating func readMarkup(upTo end: Int) {
        guard scalars[end - 1] == ">", end - index >= 3 else { return }
        let isEnd = scalars[index + 1] == "/"
        let inside = Array(scalars[(index + (isEnd ? 2 : 1))..<(end - 1)])
        guard let first = inside.first, first.isASCII, first.properties.isAlphabetic else { return }
        var reader = HTMLTagReader(inside)
        let name = reader.readName()
        if isEnd {
            tokens.append(.endTag(name: name))
        } else {
            let attributes = reader.readAttributes()
            tokens.append(.startTag(name: name, attributes: attributes, selfClosing: inside.last == "/"))
        }
    }

    private func scalar(at position: Int) -> Unicode.Scalar? {
        scalars.indices.contains(position) ? scalars[position] : nil
    }

    private func hasPrefix(_ prefix: String, at position: Int) -> Bool {
        let wanted = Array(prefix.unicodeScalars)
        return position + wanted.count <= scalars.count && Array(scalars[position..<(position + wanted.count)]) == wanted
    }

    private func string(_ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(scalars[range]))
    }
}
