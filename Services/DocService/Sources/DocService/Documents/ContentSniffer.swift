/// A document's content type, read from its first bytes; what the client claims is never used.
enum ContentSniffer {
    /// How many leading bytes `sniff` looks at.
    static let window = 512

    /// PDF, PNG, JPEG, GIF and zip by their signatures (a zip whose first entry is
    /// `[Content_Types].xml` is an Office document, named by its extension when that is
    /// .docx/.xlsx/.pptx); UTF-8 text without control characters is `text/plain`; anything else
    /// `application/octet-stream`.
    static func sniff(_ head: [UInt8], name: String) -> String {
        if head.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) { return "image/gif" }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return zip(head, name: name) }
        return isText(head) ? "text/plain; charset=utf-8" : "application/octet-stream"
    }

    static let office = [
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ]

    /// The first local header's file name (bytes 30…) says whether the zip is an Office document.
    private static func zip(_ head: [UInt8], name: String) -> String {
        let marker = Array("[Content_Types].xml".utf8)
        guard head.count >= 30 + marker.count, head[30..<(30 + marker.count)].elementsEqual(marker) else { return "application/zip" }
        return office[DocumentName.split(name).ext.lowercased()] ?? "application/zip"
    }

    /// Valid UTF-8 (a sequence cut at the window's end allowed) with no control characters but tab, CR, LF and FF.
    private static func isText(_ head: [UInt8]) -> Bool {
        guard !head.isEmpty else { return false }
        guard !head.contains(where: { $0 < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D].contains($0) || $0 == 0x7F }) else { return false }
        // Up to three bytes of a character the window cut in two.
        for cut in 0...min(3, head.count - 1) where String(validating: head.dropLast(cut), as: UTF8.self) != nil {
            return true
        }
        return false
    }
}
