package tark.host.toolchain;

import java.util.ArrayList;
import java.util.List;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.Instruction;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodHolder;
import org.teavm.model.MethodReference;
import org.teavm.model.Program;
import org.teavm.model.ValueType;
import org.teavm.model.Variable;
import org.teavm.model.emit.ProgramEmitter;
import org.teavm.model.emit.ValueEmitter;
import org.teavm.model.instructions.ConstructInstruction;
import org.teavm.model.instructions.IntegerConstantInstruction;
import org.teavm.model.instructions.InvokeInstruction;
import org.teavm.model.instructions.NullConstantInstruction;
import org.teavm.model.instructions.StringConstantInstruction;

/**
 * Build-time TeaVM transformer for minimal-json's parser (a module that compiles it in; any other is
 * left alone), size choices that change no parse result:
 * <ul>
 * <li>a {@code ParseException}'s message is the parser's words without {@code " at line:column"}, and it
 * carries no location: formatting it brought {@code Location.toString} and int-to-string into every
 * module, and working it out is code nothing runs for. {@link WasmBuild} refuses a module whose code
 * can read it ({@link #LOCATION_READERS}).</li>
 * <li>a {@code \\u} escape's four digits, already checked to be hexadecimal, are read by
 * {@link HexDigits#parse} instead of {@code Integer.parseInt(String, 16)}, whose general radix parser
 * (signs, overflow, {@code Character.digit}) the module needs for nothing else.</li>
 * <li>the {@code "Expected "} that {@code expected(String)} puts in front of what was expected is written
 * into its callers' strings instead ({@code "Expected digit"}, {@code "Expected '"} + the character + ...):
 * the same messages, one string concatenation fewer.</li>
 * </ul>
 */
final class JsonParserSize implements ClassHolderTransformer {
    static final String PARSER = "com.eclipsesource.json.JsonParser";
    static final String PARSE_EXCEPTION = "com.eclipsesource.json.ParseException";
    private static final ValueType STRING = ValueType.object("java.lang.String");
    private static final ValueType LOCATION = ValueType.object("com.eclipsesource.json.Location");
    static final MethodReference PARSE_INT = new MethodReference("java.lang.Integer", "parseInt", STRING,
            ValueType.INTEGER, ValueType.INTEGER);
    static final MethodReference HEX_DIGITS = new MethodReference(HexDigits.class.getName(), "parse", STRING,
            ValueType.INTEGER, ValueType.INTEGER);

    @Override
    public void transformClass(ClassHolder cls, ClassHolderTransformerContext context) {
        if (cls.getName().equals(PARSE_EXCEPTION)) {
            messageWithoutLocation(cls, context);
        } else if (cls.getName().equals(PARSER)) {
            hexDigitsByHand(cls);
            expectedPrefixInCallers(cls);
            noLocationInErrors(cls);
        }
    }

    /** {@code ParseException(message, location)}: {@code super(message); this.location = location;}. */
    private static void messageWithoutLocation(ClassHolder cls, ClassHolderTransformerContext context) {
        MethodHolder constructor = cls.getMethod(new MethodDescriptor("<init>", STRING, LOCATION, ValueType.VOID));
        if (constructor == null || constructor.getProgram() == null || cls.getField("location") == null) {
            throw new UnexpectedTeaVm(PARSE_EXCEPTION + "(String, Location) or its location field not found");
        }
        ProgramEmitter program = ProgramEmitter.create(constructor, context.getHierarchy());
        ValueEmitter self = program.var(0, ValueType.object(PARSE_EXCEPTION));
        self.invokeSpecial(new MethodReference("java.lang.RuntimeException", "<init>", STRING, ValueType.VOID),
                program.var(1, STRING));
        self.setField("location", program.var(2, LOCATION));
        program.exit();
    }

    /** The one {@code Integer.parseInt(digits, 16)} in the parser calls {@link HexDigits#parse}. */
    private static void hexDigitsByHand(ClassHolder cls) {
        List<InvokeInstruction> calls = new ArrayList<>();
        for (MethodHolder method : cls.getMethods()) {
            for (InvokeInstruction call : invocations(method.getProgram())) {
                if (call.getMethod().equals(PARSE_INT)) {
                    calls.add(call);
                }
            }
        }
        if (calls.size() != 1 || !isSixteen(calls.get(0))) {
            throw new UnexpectedTeaVm(PARSER + ": expected one Integer.parseInt(digits, 16), found " + calls.size());
        }
        calls.get(0).setMethod(HEX_DIGITS);
    }

    /** Whether the call's radix is the constant 16, defined in the same block. */
    private static boolean isSixteen(InvokeInstruction call) {
        for (Instruction instruction : call.getBasicBlock()) {
            if (instruction instanceof IntegerConstantInstruction
                    && ((IntegerConstantInstruction) instruction).getReceiver() == call.getArguments().get(1)) {
                return ((IntegerConstantInstruction) instruction).getConstant() == 16;
            }
        }
        return false;
    }

    static final String EXPECTED_PREFIX = "Expected ";
    static final MethodDescriptor EXPECTED = new MethodDescriptor("expected", STRING,
            ValueType.object(PARSE_EXCEPTION));
    private static final MethodDescriptor READ_REQUIRED_CHAR = new MethodDescriptor("readRequiredChar",
            ValueType.CHARACTER, ValueType.VOID);
    private static final String STRING_BUILDER = "java.lang.StringBuilder";

    /**
     * {@code expected(what)} builds {@code "Expected " + what}: each caller passes a constant, but for
     * {@code readRequiredChar}, which builds {@code "'" + ch + "'"}. The prefix moves into those constants
     * (into the first {@code "'"} for {@code readRequiredChar}) and {@code expected} passes its argument
     * on as the message.
     */
    private static void expectedPrefixInCallers(ClassHolder cls) {
        MethodHolder expected = cls.getMethod(EXPECTED);
        MethodHolder readRequiredChar = cls.getMethod(READ_REQUIRED_CHAR);
        if (expected == null || expected.getProgram() == null || readRequiredChar == null) {
            throw new UnexpectedTeaVm(PARSER + ": expected(String) or readRequiredChar(char) not found");
        }
        int builtCallers = 0;
        for (MethodHolder method : cls.getMethods()) {
            Program program = method.getProgram();
            for (InvokeInstruction call : invocations(program)) {
                if (!call.getMethod().getDescriptor().equals(EXPECTED)
                        || !call.getMethod().getClassName().equals(PARSER)) {
                    continue;
                }
                StringConstantInstruction constant = constantDefining(program, call.getArguments().get(0));
                if (constant != null) {
                    call.setArguments(prefixed(call, constant.getConstant()));
                } else if (method == readRequiredChar) {
                    builtCallers++;
                    prefixFirstAppendedConstant(program);
                } else {
                    throw new UnexpectedTeaVm(PARSER + "." + method.getName() + " builds what it expects");
                }
            }
        }
        if (builtCallers != 1) {
            throw new UnexpectedTeaVm(PARSER + ".readRequiredChar: expected one expected(\"'\" + ch + \"'\")");
        }
        messageIsTheArgument(expected.getProgram());
    }

    /** A new constant, {@code "Expected " + text}, defined just before {@code call}. */
    private static Variable prefixed(Instruction call, String text) {
        StringConstantInstruction constant = new StringConstantInstruction();
        constant.setConstant(EXPECTED_PREFIX + text);
        constant.setReceiver(call.getProgram().createVariable());
        call.insertPrevious(constant);
        return constant.getReceiver();
    }

    /** readRequiredChar's {@code "'" + ch + "'"}: its first appended string, {@code "'"}, gets the prefix. */
    private static void prefixFirstAppendedConstant(Program program) {
        for (InvokeInstruction call : invocations(program)) {
            if (call.getMethod().getClassName().equals(STRING_BUILDER) && call.getMethod().getName().equals("append")
                    && call.getMethod().parameterType(0).equals(STRING)) {
                StringConstantInstruction constant = constantDefining(program, call.getArguments().get(0));
                if (constant == null || !constant.getConstant().equals("'")) {
                    break;
                }
                call.setArguments(prefixed(call, constant.getConstant()));
                return;
            }
        }
        throw new UnexpectedTeaVm(PARSER + ".readRequiredChar: no \"'\" appended first");
    }

    /**
     * {@code expected}'s {@code new StringBuilder().append("Expected ").append(what).toString()} is removed
     * and {@code what} itself goes to {@code error}; the end-of-input message stays as it is.
     */
    private static void messageIsTheArgument(Program program) {
        Variable what = program.variableAt(1);
        Variable built = null;
        List<Instruction> building = new ArrayList<>();
        for (int b = 0; b < program.basicBlockCount(); b++) {
            for (Instruction instruction : program.basicBlockAt(b)) {
                if (instruction instanceof ConstructInstruction
                        && ((ConstructInstruction) instruction).getType().equals(STRING_BUILDER)) {
                    building.add(instruction);
                } else if (instruction instanceof InvokeInstruction
                        && ((InvokeInstruction) instruction).getMethod().getClassName().equals(STRING_BUILDER)) {
                    building.add(instruction);
                    if (((InvokeInstruction) instruction).getMethod().getName().equals("toString")) {
                        built = ((InvokeInstruction) instruction).getReceiver();
                    }
                }
            }
        }
        InvokeInstruction error = null;
        for (InvokeInstruction call : invocations(program)) {
            if (built != null && call.getMethod().getName().equals("error") && call.getArguments().get(0) == built) {
                error = call;
            }
        }
        if (error == null || building.size() != 5) {
            throw new UnexpectedTeaVm(PARSER + ".expected: not error(\"Expected \" + what)");
        }
        error.setArguments(what);
        for (Instruction instruction : building) {
            instruction.delete();
        }
    }

    static List<InvokeInstruction> invocations(Program program) {
        List<InvokeInstruction> calls = new ArrayList<>();
        for (int b = 0; program != null && b < program.basicBlockCount(); b++) {
            for (Instruction instruction : program.basicBlockAt(b)) {
                if (instruction instanceof InvokeInstruction) {
                    calls.add((InvokeInstruction) instruction);
                }
            }
        }
        return calls;
    }

    /** The string constant that defines {@code value} in {@code program}, or null. */
    static StringConstantInstruction constantDefining(Program program, Variable value) {
        for (int b = 0; b < program.basicBlockCount(); b++) {
            for (Instruction instruction : program.basicBlockAt(b)) {
                if (instruction instanceof StringConstantInstruction
                        && ((StringConstantInstruction) instruction).getReceiver() == value) {
                    return (StringConstantInstruction) instruction;
                }
            }
        }
        return null;
    }

    /** What reads a {@code ParseException}'s location: none of it may be in a module built with this rewrite. */
    static final List<MethodReference> LOCATION_READERS = List.of(
            new MethodReference(PARSE_EXCEPTION, "getLocation", LOCATION),
            new MethodReference(PARSE_EXCEPTION, "getOffset", ValueType.INTEGER),
            new MethodReference(PARSE_EXCEPTION, "getLine", ValueType.INTEGER),
            new MethodReference(PARSE_EXCEPTION, "getColumn", ValueType.INTEGER));
    private static final MethodDescriptor ERROR = new MethodDescriptor("error", STRING,
            ValueType.object(PARSE_EXCEPTION));

    /** {@code error(message)}: {@code new ParseException(message, null)} instead of {@code getLocation()}. */
    private static void noLocationInErrors(ClassHolder cls) {
        MethodHolder error = cls.getMethod(ERROR);
        List<InvokeInstruction> locations = new ArrayList<>();
        for (InvokeInstruction call : invocations(error == null ? null : error.getProgram())) {
            if (call.getMethod().getName().equals("getLocation")) {
                locations.add(call);
            }
        }
        if (locations.size() != 1) {
            throw new UnexpectedTeaVm(PARSER + ".error(String): expected one getLocation(), found " + locations.size());
        }
        NullConstantInstruction none = new NullConstantInstruction();
        none.setReceiver(locations.get(0).getReceiver());
        locations.get(0).replace(none);
    }
}
