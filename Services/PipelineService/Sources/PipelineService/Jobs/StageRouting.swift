/// Which stage a job goes to when it enters a pipeline or moves on by itself: the first stage
/// from `start` whose condition admits the account's tags; the ones passed over are skipped
/// (SPEC "a stage … is skipped for jobs whose account does not match").
enum StageRouting {
    static func firstAdmitting(_ stages: [StageRecord], from start: Int, tags: Set<String>) -> (stage: StageRecord, skipped: [String])? {
        var skipped: [String] = []
        for stage in stages.dropFirst(max(0, start)) {
            if stage.tagCondition?.admits(tags) ?? true { return (stage, skipped) }
            skipped.append(stage.id)
        }
        return nil
    }
}
