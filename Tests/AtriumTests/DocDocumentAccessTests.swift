import AccountService
import AtriumRuntime
import DocService
import Foundation
import NIOHTTP1
import Testing

/// Who sees and changes which document (SPEC "Documents" on "People and access"), and the
/// metadata routes: rename, move, client access, delete, listing with cursor and search.
extension DocDocumentTests {
    @Test("a contact sees view/edit documents and their own uploads; a hidden one answers exactly like a missing one", arguments: TestEngine.all)
    func contactVisibility(engine: TestEngine) async throws {
        try await withDocs(engine) { docs in
            let folder = try await docs.folder("Shared")
            let contact = try await Self.contact()
            let upload = { (name: String, access: String) in
                try #require(((try await docs.upload([(name, Self.pdf, "")], fields: ["clientAccess": access], folder: folder)).json["items"]
                    as? [[String: Any]])?.first?["id"] as? String)
            }
            let hidden = try await upload("hidden.pdf", "none")
            let viewable = try await upload("view.pdf", "view")
            let editable = try await upload("edit.pdf", "edit")
            let own = try #require(((try await docs.upload([("mine.pdf", Self.pdf, "")], folder: folder, as: contact)).json["items"]
                as? [[String: Any]])?.first)
            #expect(own["clientAccess"] as? String == "edit")
            let ownID = try #require(own["id"] as? String)

            let listed = try await docs.json(.GET, "/v1/accounts/acct_1/documents", as: contact)
            #expect(Set((listed.1["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []) == ["view.pdf", "edit.pdf", "mine.pdf"])
            // Hidden and missing: same status, same body but for the id and the request.
            for path in ["", "/content"] {
                let hiddenAnswer = try await docs.send(.GET, "/v1/documents/\(hidden)\(path)", as: contact)
                let missingAnswer = try await docs.send(.GET, "/v1/documents/doc_missing\(path)", as: contact)
                #expect(hiddenAnswer.status == 404 && missingAnswer.status == 404)
                #expect(Self.comparable(hiddenAnswer.body, id: hidden) == Self.comparable(missingAnswer.body, id: "doc_missing"))
            }
            for method in [HTTPMethod.PATCH, .DELETE] {
                let hiddenAnswer = try await docs.send(method, "/v1/documents/\(hidden)", json: method == .PATCH ? ["name": "x.pdf"] : nil, as: contact)
                let missingAnswer = try await docs.send(method, "/v1/documents/doc_missing", json: method == .PATCH ? ["name": "x.pdf"] : nil, as: contact)
                #expect(hiddenAnswer.status == 404 && Self.comparable(hiddenAnswer.body, id: hidden) == Self.comparable(missingAnswer.body, id: "doc_missing"))
            }
            #expect(try await docs.send(.GET, "/v1/documents/\(viewable)/content", as: contact).status == 200)
            #expect(try await docs.json(.PATCH, "/v1/documents/\(viewable)", ["name": "renamed.pdf"], as: contact).0 == 403)
            #expect(try await docs.json(.PATCH, "/v1/documents/\(editable)", ["name": "renamed.pdf"], as: contact).0 == 200)
            #expect(try await docs.json(.PATCH, "/v1/documents/\(editable)", ["clientAccess": "none"], as: contact).0 == 403)
            #expect(try await docs.send(.DELETE, "/v1/documents/\(ownID)", as: contact).status == 204)
            // Another account's contact and another firm: nothing there.
            let stranger = try await TestConfiguration.memberToken(firm: "firm_other", id: "mem_x")
            #expect(try await docs.send(.GET, "/v1/documents/\(viewable)", as: stranger).status == 404)
            #expect(try await docs.upload([("x.pdf", Self.pdf, "")], folder: folder, as: stranger).status == 404)
            // Team members who see the account read; only managers change.
            let plain = try await DocFolderTests.member("mem_plain")
            #expect(try await docs.send(.GET, "/v1/documents/\(hidden)", as: plain).status == 200)
            #expect(try await docs.json(.PATCH, "/v1/documents/\(hidden)", ["name": "y.pdf"], as: plain).0 == 403)
            #expect(try await docs.upload([("x.pdf", Self.pdf, "")], folder: folder, as: plain).status == 403)
            let manager = try await DocFolderTests.member("mem_docs", rights: [Rights.manageDocuments])
            #expect(try await docs.json(.PATCH, "/v1/documents/\(hidden)", ["clientAccess": "view"], as: manager).0 == 200)
            #expect(try await docs.send(.GET, "/v1/documents/\(hidden)", as: contact).status == 200, "now visible")
        }
    }

    /// A problem body without its `instance` (the request) and with the document id blanked.
    static func comparable(_ body: Data, id: String) -> String {
        var object = (try? JSON.object(body)) ?? [:]
        object["instance"] = nil
        let text = String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: .sortedKeys)) ?? Data(), as: UTF8.self)
        return text.replacingOccurrences(of: id, with: "<id>")
    }

    @Test("rename, move, clashes get a suffix on upload and a 409 on rename; delete removes row and bytes", arguments: TestEngine.all)
    func metadata(engine: TestEngine) async throws {
        try await withDocs(engine) { docs in
            let tax = try await docs.folder("Tax")
            let bank = try await docs.folder("Bank")
            let names = { (json: [String: Any]) in (json["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? [] }
            #expect(names((try await docs.upload([("r.pdf", Self.pdf, ""), ("R.pdf", Self.pdf, "")], folder: tax)).json) == ["r.pdf", "R (1).pdf"])
            let third = try await docs.upload([("r.pdf", Self.pdf, "")], folder: tax)
            #expect(names(third.json) == ["r (2).pdf"])
            let id = try #require((third.json["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await docs.json(.PATCH, "/v1/documents/\(id)", ["name": "R.PDF"]).0 == 409)
            let moved = try await docs.json(.PATCH, "/v1/documents/\(id)", ["folderId": bank, "name": "statement.pdf", "clientAccess": "view"])
            #expect(moved.0 == 200 && moved.1["folderId"] as? String == bank && moved.1["name"] as? String == "statement.pdf"
                && moved.1["clientAccess"] as? String == "view")
            let elsewhere = try await docs.folder("Elsewhere", account: "acct_2")
            #expect(try await docs.json(.PATCH, "/v1/documents/\(id)", ["folderId": elsewhere]).0 == 400)
            #expect(try await docs.send(.DELETE, "/v1/folders/\(bank)").status == 409, "a folder with documents is not empty")
            let before = docs.blobFiles.count
            #expect(try await docs.send(.DELETE, "/v1/documents/\(id)").status == 204)
            #expect(try await docs.send(.GET, "/v1/documents/\(id)").status == 404)
            #expect(docs.blobFiles.count == before - 1)
            #expect(try await docs.send(.DELETE, "/v1/folders/\(bank)").status == 204)
        }
    }

    @Test("listing: cursor pages, folder filter, case-insensitive search with literal % and _", arguments: TestEngine.all)
    func listing(engine: TestEngine) async throws {
        try await withDocs(engine) { docs in
            let tax = try await docs.folder("Tax")
            let bank = try await docs.folder("Bank")
            let files = (1...7).map { ("Invoice \($0).pdf", Self.pdf, "") }
            #expect(try await docs.upload(files, folder: tax).status == 201)
            #expect(try await docs.upload([("100%_sure.pdf", Self.pdf, ""), ("1000 sure.pdf", Self.pdf, "")], folder: bank).status == 201)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let query = "/v1/accounts/acct_1/documents?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let (status, page) = try await docs.json(.GET, query)
                #expect(status == 200)
                seen += (page["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
                cursor = page["nextCursor"] as? String
            } while cursor != nil
            #expect(seen.count == 9 && Set(seen).count == 9)
            let inBank = try await docs.json(.GET, "/v1/accounts/acct_1/documents?folderId=\(bank)")
            #expect((inBank.1["items"] as? [Any])?.count == 2)
            let search = try await docs.json(.GET, "/v1/accounts/acct_1/documents?search=INVOICE%203")
            #expect((search.1["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Invoice 3.pdf"])
            let literal = try await docs.json(.GET, "/v1/accounts/acct_1/documents?search=0%25_")
            #expect((literal.1["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["100%_sure.pdf"])
            #expect(try await docs.json(.GET, "/v1/accounts/acct_2/documents", as: try await Self.contact()).0 == 404)
        }
    }
}
