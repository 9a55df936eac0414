package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.teavm.runtime.RuntimeClass;

/** The catch test exception dispatch uses in the module, run here on plain RuntimeClass objects. */
class CatchTypesTest {
    private static RuntimeClass classExtending(RuntimeClass parent) {
        RuntimeClass type = new RuntimeClass();
        type.parent = parent;
        return type;
    }

    private final RuntimeClass object = classExtending(null);
    private final RuntimeClass throwable = classExtending(object);
    private final RuntimeClass exception = classExtending(throwable);
    private final RuntimeClass runtimeException = classExtending(exception);
    private final RuntimeClass parseException = classExtending(runtimeException);
    private final RuntimeClass authFailure = classExtending(exception);

    @Test
    void aClauseCatchesItsClassAndEverySubclass() {
        assertTrue(CatchTypes.catches(parseException, parseException));
        assertTrue(CatchTypes.catches(runtimeException, parseException));
        assertTrue(CatchTypes.catches(throwable, parseException));
        assertTrue(CatchTypes.catches(exception, authFailure));
    }

    @Test
    void aClauseSkipsSuperclassesAndSiblings() {
        assertFalse(CatchTypes.catches(parseException, runtimeException));
        assertFalse(CatchTypes.catches(authFailure, parseException));
        assertFalse(CatchTypes.catches(runtimeException, authFailure));
        assertFalse(CatchTypes.catches(parseException, object));
    }
}
