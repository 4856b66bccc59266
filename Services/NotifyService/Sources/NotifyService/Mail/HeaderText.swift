/// Free text in headers (a subject, a display name), and the policy for line breaks in it.
///
/// Text is shown to people, and a line break in it (a thread title pasted with a newline, say)
/// means nothing in a one-line header: CR, LF and every other control or line-separator
/// character become a single space, runs of them one space. The e-mail is still sent. Addresses
/// and the Message-ID are identifiers, not text, and are refused instead (`MailAddress.checked`).
enum HeaderText {
    /// `text` on one line: control characters (C0, DEL, C1) and Unicode line and paragraph
    /// separators replaced by a space, runs of white space they leave collapsed, ends trimmed.
    static func flattened(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if isBreaking(scalar) {
                pendingSpace = true
                continue
            }
            if pendingSpace {
                // The space a removed break leaves stands alone: not beside one the text already has.
                if !out.isEmpty, out.last != " ", scalar != " " { out.append(" ") }
                pendingSpace = false
            }
            out.append(scalar)
        }
        return String(out).trimmingSpaces()
    }

    private static func isBreaking(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1f, 0x7f...0x9f, 0x2028, 0x2029: true
        default: false
        }
    }

    /// Whether `text` can go on the wire as it is: printable ASCII, and nothing a reader would
    /// take for an encoded-word.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { (0x20...0x7e).contains($0) } && !text.contains("=?")
    }

    /// RFC 5322 `atext`: what an atom (and a dot-atom's parts) may hold.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
        }
    }

    /// A word this long is encoded rather than sent whole, so no line nears 998 characters.
    static let longestPlainWord = 200
}

extension HeaderField {
    /// Appends unstructured text (a subject), flattened: as it is when plain, else encoded.
    mutating func append(unstructured text: String) {
        let text = HeaderText.flattened(text)
        // Split on single spaces, keeping empty words, so runs of spaces survive folding.
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        if HeaderText.isPlain(text), words.allSatisfy({ $0.utf8.count <= HeaderText.longestPlainWord }) {
            words.forEach { append(word: String($0)) }
        } else {
            append(encoded: text)
        }
    }

    /// Appends a display name as a phrase: atoms, one quoted-string, or encoded-words.
    mutating func append(phrase name: String) {
        let words = name.split(separator: " ")
        if words.allSatisfy({ $0.utf8.count <= HeaderText.longestPlainWord && $0.utf8.allSatisfy(HeaderText.isAtext) }),
            !name.contains("=?") {
            words.forEach { append(word: String($0)) }
        } else if HeaderText.isPlain(name), name.utf8.count <= HeaderText.longestPlainWord {
            var quoted = "\""
            for character in name {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            append(word: quoted + "\"")
        } else {
            append(encoded: name)
        }
    }

    /// Appends `mailboxes` comma-separated: `Name <address>`, or the bare address without a name.
    mutating func append(mailboxes: [MailAddress]) {
        for (index, mailbox) in mailboxes.enumerated() {
            let comma = index < mailboxes.count - 1 ? "," : ""
            let name = mailbox.name.map(HeaderText.flattened) ?? ""
            if name.isEmpty {
                append(word: mailbox.email + comma)
            } else {
                append(phrase: name)
                append(word: "<\(mailbox.email)>" + comma)
            }
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
