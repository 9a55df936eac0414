package tark.host.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderSource;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodReference;
import org.teavm.model.ValueType;
import org.teavm.model.instructions.InvokeInstruction;
import org.teavm.model.instructions.StringConstantInstruction;

class JsonParserSizeTest {
    private static final ValueType STRING = ValueType.object("java.lang.String");
    private static final MethodDescriptor CONSTRUCTOR = new MethodDescriptor("<init>", STRING,
            ValueType.object("com.eclipsesource.json.Location"), ValueType.VOID);

    private static List<MethodReference> calls(ClassHolder cls) {
        return cls.getMethods().stream().filter(method -> method.getProgram() != null)
                .flatMap(method -> TeaVmClasses.instructions(method.getProgram(), InvokeInstruction.class).stream())
                .map(InvokeInstruction::getMethod).collect(Collectors.toList());
    }

    @Test
    void theParseExceptionsMessageIsTheParsersWords() {
        ClassHolderSource classes = TeaVmClasses.real();
        ClassHolder exception = classes.get(JsonParserSize.PARSE_EXCEPTION);
        assertTrue(calls(exception).stream().anyMatch(m -> m.getClassName().equals("java.lang.StringBuilder")),
                "minimal-json's own constructor formats the location into the message");

        new JsonParserSize().transformClass(exception, TeaVmClasses.context(classes));
        List<MethodReference> constructorCalls = TeaVmClasses.instructions(
                exception.getMethod(CONSTRUCTOR).getProgram(), InvokeInstruction.class).stream()
                .map(InvokeInstruction::getMethod).collect(Collectors.toList());
        assertEquals(List.of(new MethodReference("java.lang.RuntimeException", "<init>", STRING, ValueType.VOID)),
                constructorCalls);
        assertEquals(1, TeaVmClasses.instructions(exception.getMethod(CONSTRUCTOR).getProgram(),
                org.teavm.model.instructions.PutFieldInstruction.class).size(), "the location given is kept");
    }

    @Test
    void theParsersHexDigitsAreReadByHexDigits() {
        ClassHolderSource classes = TeaVmClasses.real();
        ClassHolder parser = classes.get(JsonParserSize.PARSER);
        assertTrue(calls(parser).contains(JsonParserSize.PARSE_INT));

        new JsonParserSize().transformClass(parser, TeaVmClasses.context(classes));
        List<MethodReference> calls = calls(parser);
        assertTrue(!calls.contains(JsonParserSize.PARSE_INT), calls.toString());
        assertEquals(1, calls.stream().filter(JsonParserSize.HEX_DIGITS::equals).count());
    }

    /** The strings the parser passes to expected(String) as constants, in order. */
    private static List<String> constantsExpected(ClassHolder parser) {
        return parser.getMethods().stream().filter(method -> method.getProgram() != null)
                .flatMap(method -> JsonParserSize.invocations(method.getProgram()).stream()
                        .filter(call -> call.getMethod().getDescriptor().equals(JsonParserSize.EXPECTED))
                        .map(call -> JsonParserSize.constantDefining(method.getProgram(), call.getArguments().get(0)))
                        .filter(constant -> constant != null).map(StringConstantInstruction::getConstant))
                .collect(Collectors.toList());
    }

    private static List<MethodReference> callsIn(ClassHolder cls, MethodDescriptor method) {
        return JsonParserSize.invocations(cls.getMethod(method).getProgram()).stream()
                .map(InvokeInstruction::getMethod).collect(Collectors.toList());
    }

    @Test
    void expectedsPrefixIsWrittenIntoItsCallersStrings() {
        ClassHolderSource classes = TeaVmClasses.real();
        ClassHolder parser = classes.get(JsonParserSize.PARSER);
        List<String> before = constantsExpected(parser);
        assertTrue(before.containsAll(List.of("value", "digit", "hexadecimal digit")), before.toString());
        assertTrue(callsIn(parser, JsonParserSize.EXPECTED).stream()
                .anyMatch(m -> m.getClassName().equals("java.lang.StringBuilder")), "minimal-json's own expected");

        new JsonParserSize().transformClass(parser, TeaVmClasses.context(classes));
        assertEquals(before.stream().map(what -> "Expected " + what).collect(Collectors.toList()),
                constantsExpected(parser), "every message as minimal-json words it");
        assertTrue(callsIn(parser, JsonParserSize.EXPECTED).stream()
                .noneMatch(m -> m.getClassName().equals("java.lang.StringBuilder")));
        MethodDescriptor readRequiredChar = new MethodDescriptor("readRequiredChar", ValueType.CHARACTER,
                ValueType.VOID);
        List<String> requiredCharParts = TeaVmClasses.instructions(parser.getMethod(readRequiredChar).getProgram(),
                StringConstantInstruction.class).stream().map(StringConstantInstruction::getConstant)
                .filter(text -> text.contains("'")).collect(Collectors.toList());
        assertEquals(List.of("'", "Expected '", "'"), requiredCharParts, "\"Expected '\" + ch + \"'\"");
    }

    @Test
    void aParseErrorCarriesNoLocationAndABuildThatReadsOneFails() {
        ClassHolderSource classes = TeaVmClasses.real();
        ClassHolder parser = classes.get(JsonParserSize.PARSER);
        MethodDescriptor error = new MethodDescriptor("error", STRING, ValueType.object(JsonParserSize.PARSE_EXCEPTION));
        assertTrue(callsIn(parser, error).stream().anyMatch(m -> m.getName().equals("getLocation")));

        new JsonParserSize().transformClass(parser, TeaVmClasses.context(classes));
        assertTrue(callsIn(parser, error).stream().noneMatch(m -> m.getName().equals("getLocation")),
                callsIn(parser, error).toString());
        assertEquals(1, TeaVmClasses.instructions(parser.getMethod(error).getProgram(),
                org.teavm.model.instructions.NullConstantInstruction.class).size(), "new ParseException(message, null)");

        MethodReference getLine = new MethodReference(JsonParserSize.PARSE_EXCEPTION, "getLine", ValueType.INTEGER);
        MethodReference parse = new MethodReference(JsonParserSize.PARSER, "parse", STRING, ValueType.VOID);
        assertEquals(List.of(getLine), WasmBuild.locationReaders(List.of(parse, getLine)));
        assertEquals(List.of(), WasmBuild.locationReaders(List.of(parse)));
    }

    @Test
    void aParserOrExceptionOfAnotherShapeStopsTheBuild() {
        ClassHolderSource classes = TeaVmClasses.real();
        assertThrows(UnexpectedTeaVm.class, () -> new JsonParserSize()
                .transformClass(new ClassHolder(JsonParserSize.PARSER), TeaVmClasses.context(classes)));
        assertThrows(UnexpectedTeaVm.class, () -> new JsonParserSize()
                .transformClass(new ClassHolder(JsonParserSize.PARSE_EXCEPTION), TeaVmClasses.context(classes)));
    }

    @Test
    void hexDigitsReadEveryEscapeAsIntegerParseIntDoes() {
        for (int code = 0; code <= 0xFFFF; code++) {
            String lower = String.format("%04x", code);
            String upper = lower.toUpperCase(Locale.ROOT);
            String mixed = upper.substring(0, 2) + lower.substring(2);
            for (String digits : new String[] {lower, upper, mixed}) {
                assertEquals(Integer.parseInt(digits, 16), HexDigits.parse(digits, 16), digits);
            }
        }
    }
}
