package tark.host.toolchain;

/**
 * A TeaVM internal a workaround relies on does not look the way it did in TeaVM 0.13.1: the build
 * stops rather than apply a fix that may have become a bug.
 */
final class UnexpectedTeaVm extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    UnexpectedTeaVm(String what) {
        super(what + ": not the TeaVM " + TeaVmVersion.EXPECTED + " this workaround was written against; see "
                + TeaVmVersion.UPGRADING);
    }
}
