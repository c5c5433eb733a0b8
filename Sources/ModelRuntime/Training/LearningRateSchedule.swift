import Foundation
import ModelFormat

/// The learning rate of each optimiser step (DESIGN §3 `Schedule`, counted in steps t = 0, 1, …).
///
/// With W = `warmup_steps`: for t < W the rate ramps linearly, lr·(t+1)/W; afterwards, with
/// u = t − W: CONSTANT lr, STEP lr·γ^⌊u/step_size⌋, EXPONENTIAL lr·γ^u, COSINE
/// lr·½(1 + cos(π·u/(T − W))) over the run's T total steps.
public struct LearningRateSchedule: Sendable, Equatable {
    public var base: Double
    public var schedule: ProtoSchedule
    public var totalSteps: Int

    public init(base: Double, schedule: ProtoSchedule, totalSteps: Int) {
        self.base = base
        self.schedule = schedule
        self.totalSteps = totalSteps
    }

    public func rate(at step: Int) -> Double {
        let warmup = Int(max(0, schedule.warmupSteps))
        if step < warmup { return base * Double(step + 1) / Double(warmup) }
        let u = Double(step - warmup)
        switch schedule.kind {
        case .constant, .UNRECOGNIZED: return base
        case .step:
            let size = max(1, Int(schedule.stepSize))
            return base * pow(Double(schedule.gamma), Double((step - warmup) / size))
        case .exponential: return base * pow(Double(schedule.gamma), u)
        case .cosine:
            let span = Double(max(1, totalSteps - warmup))
            return base * 0.5 * (1 + cos(Double.pi * min(u, span) / span))
        }
    }
}
