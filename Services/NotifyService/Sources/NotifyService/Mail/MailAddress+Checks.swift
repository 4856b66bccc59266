// Addresses and the Message-ID are identifiers and go on the wire as they are, so anything
// else in them — a CR or LF above all, which would start a new header line or SMTP command — is
// refused with `MailError.permanent` (trying again cannot fix it), never repaired.

extension MailAddress {
    /// `self` once its `email` is checked: an ASCII `local@domain` address with a dot-atom local
    /// part (no quoted ones) and a domain of letters, digits and hyphens or an address literal
    /// (`[192.0.2.1]`). International addresses (SMTPUTF8) are refused too.
    ///
    /// - Throws: `MailError.permanent` naming `role` (`From`, `To`).
    func checked(as role: String) throws -> MailAddress {
        guard Self.isAddress(email) else {
            throw MailError.permanent("the \(role) address \(email.debugDescription) is not a valid e-mail address")
        }
        return self
    }

    static func isAddress(_ email: String) -> Bool {
        guard email.utf8.count <= 254, let at = email.lastIndex(of: "@") else { return false }
        let local = email[..<at], domain = email[email.index(after: at)...]
        return local.utf8.count <= 64 && isDotAtom(local) && isDomain(domain)
    }

    /// Atoms joined by single dots: no empty atom, so no leading, trailing or doubled dot.
    static func isDotAtom(_ text: Substring) -> Bool {
        text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(HeaderText.isAtext) }
    }

    private static func isDomain(_ text: Substring) -> Bool {
        if text.hasPrefix("["), text.hasSuffix("]") {
            let inside = text.dropFirst().dropLast()
            return !inside.isEmpty && inside.utf8.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") }
        }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.utf8.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.utf8.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

extension OutgoingMail {
    /// `messageID` in angle brackets, once checked: two dot-atoms joined by one `@`.
    ///
    /// - Throws: `MailError.permanent` for anything else.
    func checkedMessageID() throws -> String {
        let sides = messageID.split(separator: "@", omittingEmptySubsequences: false)
        guard sides.count == 2, messageID.utf8.count <= 250, sides.allSatisfy(MailAddress.isDotAtom) else {
            throw MailError.permanent("the Message-ID \(messageID.debugDescription) is not of the form left@right")
        }
        return "<\(messageID)>"
    }
}
