/// A live frame's budget, capture to hand-off, in milliseconds (the camera key `budget_ms`).
///
/// Under the live invariant (see VeilLive's LiveInvariant) a frame waits for a detection pass over
/// itself or a later frame, so the budget has to hold a pass that started up to one pass before the
/// frame was captured, the pass over the frame, and anonymizing it: about two passes and a bit. With a
/// pass of 15-30 ms on this 2-core machine that is 45-70 ms; under load, more. A frame that cannot make
/// it is covered whole or dropped, never sent unchecked, so a tighter budget costs covered frames, not
/// privacy.
public enum LatencyBudget {
    /// The default: three frame intervals, and never under 80 ms (so that 60 fps cameras still have room
    /// for two passes). 100 ms at 30 fps, 120 ms at 25.
    public static func defaultMilliseconds(fps: Int) -> Int {
        max(80, 3000 / max(fps, 1))
    }
}
