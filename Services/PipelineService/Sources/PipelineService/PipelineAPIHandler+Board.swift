import AtriumRuntime
import Foundation
import PipelineAPI

/// A pipeline's board: active jobs by stage, a cursor per stage, counts and filters.
extension PipelineAPIHandler {
    func getBoard(_ input: Operations.GetBoard.Input) async throws -> Operations.GetBoard.Output {
        let caller = try RequestScope.requireCaller()
        guard caller.kind == .member, caller.portalView == nil, let firm = caller.firmID else {
            throw PipelineError.notAllowed("Only team members see boards.")
        }
        guard let model = try await pipelines.model(input.path.pipelineId, on: database.sql), model.pipeline.firmId == firm else {
            throw PipelineError.pipelineNotFound(input.path.pipelineId)
        }
        let query = input.query
        let limit = query.limit ?? 25
        guard (1...100).contains(limit) else { throw PipelineError.invalid("limit is 1 to 100.") }
        guard query.cursor == nil || query.stageId != nil else { throw PipelineError.invalid("A cursor pages one stage: give stageId too.") }
        let cursor = try query.cursor.map(BoardCursor.init)
        var board = BoardQuery(pipeline: model.pipeline.id, assignee: query.assigneeId, account: query.accountId,
                               dueBefore: query.overdue == true ? JobDates.today() : nil)
        if !caller.seesEveryAccount(of: firm) {
            var visible: [String] = []
            for account in try await BoardQuery.accounts(pipeline: model.pipeline.id, on: database.sql)
            where try await directory.allows(caller, account: account, firm: firm) {
                visible.append(account)
            }
            board.visibleAccounts = visible
        }
        var stages = model.stages
        if let stageID = query.stageId {
            stages = stages.filter { $0.id == stageID }
            guard !stages.isEmpty else { throw PipelineError.stageNotFound(stageID) }
        }
        var counts: [String: Int] = [:]
        var columns: [Components.Schemas.BoardStage] = []
        var pages: [(StageRecord, [JobRecord])] = []
        for stage in stages {
            counts[stage.id] = try await board.count(stage: stage.id, on: database.sql)
            let page = counts[stage.id, default: 0] == 0 ? [] : try await board.page(stage: stage.id, after: cursor, limit: limit + 1, on: database.sql)
            pages.append((stage, page))
        }
        let cards = try await views.wire(pages.flatMap { Array($0.1.prefix(limit)) }, on: database.sql)
        let byID = Dictionary(uniqueKeysWithValues: cards.map { ($0.id, $0) })
        for (stage, page) in pages {
            let shown = page.prefix(limit)
            let next = page.count > limit ? shown.last.map { BoardCursor(enteredAt: $0.enteredAt, id: $0.id).text } : nil
            columns.append(.init(stageId: stage.id, name: stage.name, count: counts[stage.id, default: 0], jobs: shown.compactMap { byID[$0.id] },
                                 nextCursor: next))
        }
        return .ok(.init(body: .json(.init(pipelineId: model.pipeline.id, stages: columns))))
    }
}
