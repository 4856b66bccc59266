import AtriumRuntime
import Foundation
import PipelineAPI

/// What a job's fields must be.
enum JobRules {
    static let maxAssignees = 20

    /// Team member ids, well-formed, each once.
    static func assignees(_ ids: [String]) throws -> [String] {
        guard ids.count <= maxAssignees else { throw PipelineError.invalid("A job has at most \(maxAssignees) assignees.") }
        for id in ids where !Identifier.isWellFormed(id, prefix: "mem") {
            throw PipelineError.invalid("assigneeIds: \(id.debugDescription) is not a team member id.")
        }
        guard Set(ids).count == ids.count else { throw PipelineError.invalid("assigneeIds names someone twice.") }
        return ids
    }

    /// A calendar date `YYYY-MM-DD` that exists.
    static func date(_ text: String?, field: String) throws -> String? {
        guard let text else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1900...9999).contains(year), parts[0].count == 4, parts[1].count == 2, parts[2].count == 2 else {
            throw PipelineError.invalid("\(field) must be a date as YYYY-MM-DD.")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)), JobDates.format(date) == text else {
            throw PipelineError.invalid("\(field): \(text) is not a day of the calendar.")
        }
        return text
    }

    /// Start on or before due.
    static func checkOrder(start: String?, due: String?) throws {
        if let start, let due, due < start { throw PipelineError.invalid("dueDate \(due) is before startDate \(start).") }
    }
}
