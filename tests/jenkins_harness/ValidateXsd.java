// Validates XML files against an XSD with the JDK's own validator:
//   java ValidateXsd.java SCHEMA.xsd FILE.xml...
// Prints "ok FILE" or "invalid FILE: line L: message" per file; exits 1 if any is invalid.
import java.io.File;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.xml.sax.SAXParseException;

public class ValidateXsd {
    public static void main(String[] args) throws Exception {
        SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        Validator validator = factory.newSchema(new File(args[0])).newValidator();
        int bad = 0;
        for (int i = 1; i < args.length; i++) {
            try {
                validator.validate(new StreamSource(new File(args[i])));
                System.out.println("ok " + args[i]);
            } catch (SAXParseException e) {
                bad++;
                System.out.println("invalid " + args[i] + ": line " + e.getLineNumber() + ": " + e.getMessage());
            }
        }
        System.exit(bad == 0 ? 0 : 1);
    }
}
