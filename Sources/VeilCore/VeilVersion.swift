/// Veil's release: what `veil --version` prints and every archive manifest records, so that an output
/// can be traced to the code that made it.
public enum VeilVersion {
    public static let current = "0.16.0"
}
