package tark.host.toolchain;

import java.util.ArrayList;
import java.util.List;
import org.teavm.model.BasicBlock;
import org.teavm.model.ClassHolder;
import org.teavm.model.ClassHolderTransformer;
import org.teavm.model.ClassHolderTransformerContext;
import org.teavm.model.Instruction;
import org.teavm.model.MethodDescriptor;
import org.teavm.model.MethodHolder;
import org.teavm.model.MethodReference;
import org.teavm.model.Program;
import org.teavm.model.ValueType;
import org.teavm.model.emit.ProgramEmitter;
import org.teavm.model.emit.ValueEmitter;
import org.teavm.model.instructions.IntegerConstantInstruction;
import org.teavm.model.instructions.InvokeInstruction;

/**
 * Build-time TeaVM transformer for minimal-json's parser (a module that compiles it in; any other is
 * left alone), two size choices that change no parse result:
 * <ul>
 * <li>a {@code ParseException}'s message is the parser's words without {@code " at line:column"}; the
 * location stays readable ({@code getLocation()}, {@code getLine()}...). Formatting it brought
 * {@code Location.toString} and int-to-string into every module.</li>
 * <li>a {@code \\u} escape's four digits, already checked to be hexadecimal, are read by
 * {@link HexDigits#parse} instead of {@code Integer.parseInt(String, 16)}, whose general radix parser
 * (signs, overflow, {@code Character.digit}) the module needs for nothing else.</li>
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
            Program program = method.getProgram();
            for (int b = 0; program != null && b < program.basicBlockCount(); b++) {
                BasicBlock block = program.basicBlockAt(b);
                for (Instruction instruction : block) {
                    if (instruction instanceof InvokeInstruction
                            && ((InvokeInstruction) instruction).getMethod().equals(PARSE_INT)) {
                        calls.add((InvokeInstruction) instruction);
                    }
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
}
