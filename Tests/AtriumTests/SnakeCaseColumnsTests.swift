@testable import AtriumRuntime
import SQLKit
import Testing

/// The remembered snake_case conversion names the same columns SQLKit's own conversion does.
@Suite("Snake-case columns")
struct SnakeCaseColumnsTests {
    @Test("keys map to SQLKit's column names, first time and remembered")
    func sameAsSQLKit() {
        let expected = ["id": "id", "createdAt": "created_at", "attemptBudget": "attempt_budget", "myURLValue": "my_uRL_value" /* SQLKit keeps an acronym's case */,
                        "firmId": "firm_id", "x2Fa": "x2_fa"]
        for _ in 0..<2 {
            for (key, column) in expected { #expect(SnakeCaseColumns.column(for: key) == column, "\(key)") }
        }
    }
}
