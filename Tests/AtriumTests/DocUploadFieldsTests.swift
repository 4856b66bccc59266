import Foundation
import NIOHTTP1
import Testing

/// The upload's form fields are input like any other: a thread id that is not one is refused
/// before anything is stored, and a well-formed one is kept with the document.
@Suite("DocService: upload form fields")
struct DocUploadFieldsTests {
    @Test("a threadId that is not a thread of the account is a 400 and stores nothing; one that is is kept")
    func threadIdShape() async throws {
        try await DocDocumentTests().withDocs(.sqlite) { docs in
            let folder = try await docs.folder("Chat uploads")
            for hostile in ["../../etc/passwd", "thr_<script>alert(1)</script>", "thr_" + String(repeating: "a", count: 500), "acct_01a20a00000000000000000000"] {
                let (status, json) = try await docs.upload([("a.pdf", DocDocumentTests.pdf, "application/pdf")], fields: ["threadId": hostile], folder: folder)
                #expect(status == 400, "\(hostile): \(json)")
                #expect((json["detail"] as? String)?.contains("threadId") == true)
            }
            let listed = try await docs.json(.GET, "/v1/accounts/acct_1/documents")
            #expect((listed.1["items"] as? [Any])?.isEmpty == true, "a refused upload stored something: \(listed.1)")
            // Well-formed, but ChatService knows it in another account (or not at all): refused, nothing stored.
            let (elsewhere, refusal) = try await docs.upload([("a.pdf", DocDocumentTests.pdf, "application/pdf")],
                                                             fields: ["threadId": FixedThreads.elsewhere], folder: folder)
            #expect(elsewhere == 400 && (refusal["detail"] as? String)?.contains("not a chat thread of this account") == true, "\(refusal)")
            #expect((try await docs.json(.GET, "/v1/accounts/acct_1/documents").1["items"] as? [Any])?.isEmpty == true)
            let thread = FixedThreads.known
            let (status, json) = try await docs.upload([("a.pdf", DocDocumentTests.pdf, "application/pdf")], fields: ["threadId": thread], folder: folder)
            #expect(status == 201, "\(json)")
            #expect((json["items"] as? [[String: Any]])?.first?["threadId"] as? String == thread)
        }
    }

    @Test("without a folder, uploads land in the account's \"Chat uploads\", made once and reused in any case")
    func defaultFolder() async throws {
        try await DocDocumentTests().withDocs(.sqlite) { docs in
            let first = try await docs.upload([("a.pdf", DocDocumentTests.pdf, "application/pdf")], fields: ["threadId": FixedThreads.known], folder: nil)
            #expect(first.status == 201, "\(first.json)")
            let folderID = try #require((first.json["items"] as? [[String: Any]])?.first?["folderId"] as? String)
            let contact = try await DocDocumentTests.contact()
            let second = try await docs.upload([("b.pdf", DocDocumentTests.pdf, "application/pdf")], folder: nil, as: contact)
            #expect(second.status == 201 && (second.json["items"] as? [[String: Any]])?.first?["folderId"] as? String == folderID, "\(second.json)")
            let tree = try await docs.json(.GET, "/v1/accounts/acct_1/folders").1["items"] as? [[String: Any]] ?? []
            #expect(tree.compactMap { $0["name"] as? String } == ["Chat uploads"])
            #expect(try await docs.upload([("c.pdf", DocDocumentTests.pdf, "application/pdf")], folder: nil, account: "acct_other").status == 404)
        }
    }
}
