import Foundation

/// What an organizer's answers must be: each value in its question's form (400 naming the
/// question), and every required question answered before it is submitted (409 naming them).
enum OrganizerRules {
    /// `answers` checked against `organizer`'s questions; empty values are dropped (unanswered).
    static func answers(_ answers: [OrganizerAnswer], for organizer: OrganizerContent) throws -> [OrganizerAnswer] {
        let questions = Dictionary(uniqueKeysWithValues: organizer.questions.map { ($0.id, $0) })
        var seen: Set<String> = []
        var kept: [OrganizerAnswer] = []
        for (index, answer) in answers.enumerated() {
            let field = "answers[\(index)]"
            guard let question = questions[answer.questionId] else {
                throw PipelineError.invalid("\(field).questionId \(answer.questionId) is not a question of this organizer.")
            }
            guard seen.insert(answer.questionId).inserted else { throw PipelineError.invalid("\(field): question \(answer.questionId) is answered twice.") }
            let value = answer.value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { continue }
            guard let checked = self.value(value, for: question) else {
                throw PipelineError.invalid("\(field).value does not answer question \(question.id): \(expectation(question)).")
            }
            kept.append(OrganizerAnswer(questionId: question.id, value: checked))
        }
        // In the organizer's order.
        let order = Dictionary(uniqueKeysWithValues: organizer.questions.enumerated().map { ($1.id, $0) })
        return kept.sorted { (order[$0.questionId] ?? 0) < (order[$1.questionId] ?? 0) }
    }

    /// The required questions without an answer, in order.
    static func unanswered(_ answers: [OrganizerAnswer], for organizer: OrganizerContent) -> [String] {
        let answered = Set(answers.map(\.questionId))
        return organizer.questions.filter { $0.required && !answered.contains($0.id) }.map(\.id)
    }

    /// The value as kept, or nil when it is not of the question's type.
    static func value(_ value: String, for question: OrganizerQuestion) -> String? {
        switch question.type {
        case .text: return value.count <= 2000 && !value.contains(where: \.isNewline) ? value : nil
        case .longText: return value.count <= 20_000 ? value : nil
        case .number:
            guard value.count <= 40, value.range(of: #"^-?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil else { return nil }
            return value
        case .yesNo:
            let lowered = value.lowercased()
            return lowered == "yes" || lowered == "no" ? lowered : nil
        case .date: return isDate(value) ? value : nil
        case .choice: return question.options?.contains(value) == true ? value : nil
        }
    }

    /// `YYYY-MM-DD`, a real day of the Gregorian calendar.
    static func isDate(_ text: String) -> Bool {
        guard text.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, options: .regularExpression) != nil else { return false }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard (1...12).contains(parts[1]), let date = calendar.date(from: components) else { return false }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        return back.year == parts[0] && back.month == parts[1] && back.day == parts[2]
    }

    static func expectation(_ question: OrganizerQuestion) -> String {
        switch question.type {
        case .text: "one line of at most 2000 characters"
        case .longText: "at most 20000 characters"
        case .number: "a decimal number such as 12 or -3.5"
        case .yesNo: "yes or no"
        case .date: "a date YYYY-MM-DD"
        case .choice: "one of \((question.options ?? []).joined(separator: ", "))"
        }
    }
}
