import AtriumRuntime

/// SPEC "Reminders" on one thread: when the next one is due, and when they stop.
extension ThreadRecord {
    static let dayMillis: Int64 = 86_400_000

    var remindersOn: Bool { reminderDays != nil && reminderCount != nil }

    /// Starts the reminders afresh about a message posted at `millis` (a new message from the
    /// firm, a reopened thread, new settings): none sent yet, the first due `days` later.
    mutating func armReminders(from millis: Int64) {
        guard let days = reminderDays, remindersOn, !isArchived else { return stopReminders() }
        remindersSent = 0
        nextReminderAt = millis + days * Self.dayMillis
    }

    mutating func stopReminders() {
        nextReminderAt = nil
    }

    mutating func setReminders(days: Int64?, count: Int64?) {
        reminderDays = days
        reminderCount = count
    }

    /// Why no reminder goes out any more, or nil when one is due. `allRead` says whether every
    /// recipient has read every message they can see; `clientRepliedLast` whether the last
    /// message a contact can see is a contact's.
    func reminderStop(allRead: Bool, clientRepliedLast: Bool) -> String? {
        if isArchived { return "archived" }
        guard let count = reminderCount, remindersOn else { return "switched off" }
        if remindersSent >= count { return "all sent" }
        if tasksTotal > 0 { return tasksDone == tasksTotal && allRead ? "tasks complete and read" : nil }
        return clientRepliedLast ? "the client replied" : nil
    }
}

/// Reminder settings as a request gives them, with the firm's defaults for what it leaves out.
struct ReminderChoice: Sendable, Equatable {
    var days: Int64
    var count: Int64

    init(days: Int?, count: Int?, policy: FirmPolicy) throws {
        let days = days ?? policy.reminderDays
        let count = count ?? policy.reminderCount
        guard (1...365).contains(days) else { throw ChatError.invalid("reminders.daysUntilNext must be 1 to 365.") }
        guard (1...20).contains(count) else { throw ChatError.invalid("reminders.count must be 1 to 20.") }
        self.days = Int64(days)
        self.count = Int64(count)
    }
}
