import Foundation

/// One header field as it goes on the wire: ASCII only, folded with CRLF + space before a line
/// passes 78 characters, and non-ASCII text as RFC 2047 encoded-words (`=?UTF-8?B?…?=`), each at
/// most 75 characters on a line of at most 76.
///
/// Only words and encoded-words are appended, never raw text, so no value can end the field or
/// start another: a CR or LF reaches the wire only inside base64.
struct HeaderField {
    /// The field so far, without the final CRLF.
    private(set) var text: String
    private var lineLength: Int
    /// Whether the current line holds a word yet (the field's name does not count).
    private var lineHasWord = false
    /// Whether it holds an encoded-word, which limits it to 76 characters.
    private var lineHasEncodedWord = false

    static let lineLimit = 78
    /// RFC 2047's limit on a line holding an encoded-word.
    static let encodedLineLimit = 76
    /// `=?UTF-8?B?` and `?=`.
    private static let encodedOverhead = 12

    init(_ name: String) {
        text = name + ":"
        lineLength = text.utf8.count
    }

    /// Appends an ASCII `word` after one space, first folding when the line would pass 78 characters.
    /// A word longer than a line still goes on one: callers keep words far below 998 characters.
    mutating func append(word: String) {
        let limit = lineHasEncodedWord ? Self.encodedLineLimit : Self.lineLimit
        if !word.isEmpty, lineHasWord, lineLength + 1 + word.utf8.count > limit { fold() }
        text += " " + word
        lineLength += 1 + word.utf8.count
        lineHasWord = lineHasWord || !word.isEmpty
    }

    /// Appends `phrase` as encoded-words after one space, as many as it takes; each holds whole
    /// characters (whole Unicode scalars where one character alone is too long for a word).
    mutating func append(encoded phrase: String) {
        var chunk: [UInt8] = []
        var budget = wordBudget()
        func flush() {
            guard !chunk.isEmpty else { return }
            appendEncodedWord(chunk)
            chunk = []
            budget = wordBudget()
        }
        for character in phrase {
            let bytes = Array(String(character).utf8)
            if bytes.count <= Self.bytesPerWord(75) {
                if chunk.count + bytes.count > budget { flush() }
                if chunk.count + bytes.count > budget { fold(); budget = wordBudget() }
                chunk += bytes
            } else {
                for scalar in character.unicodeScalars {
                    let bytes = Array(String(scalar).utf8)
                    if chunk.count + bytes.count > budget { flush() }
                    if chunk.count + bytes.count > budget { fold(); budget = wordBudget() }
                    chunk += bytes
                }
            }
        }
        flush()
    }

    /// Raw bytes an encoded-word may carry on the current line after its space.
    private func wordBudget() -> Int {
        Self.bytesPerWord(min(75, Self.encodedLineLimit - lineLength - 1))
    }

    /// Raw bytes an encoded-word of at most `length` characters carries: base64 in whole quanta.
    private static func bytesPerWord(_ length: Int) -> Int {
        max(0, (length - encodedOverhead) / 4 * 3)
    }

    private mutating func appendEncodedWord(_ bytes: [UInt8]) {
        let word = "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
        if lineHasWord, lineLength + 1 + word.utf8.count > Self.encodedLineLimit { fold() }
        text += " " + word
        lineLength += 1 + word.utf8.count
        lineHasWord = true
        lineHasEncodedWord = true
    }

    private mutating func fold() {
        text += "\r\n"
        lineLength = 0
        lineHasWord = false
        lineHasEncodedWord = false
    }
}
