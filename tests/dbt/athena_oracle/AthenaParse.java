// What the pre-contract athena__safe_to_timestamp / athena__safe_to_date compute on Athena engine v3,
// modelled with the library Trino calls (Joda-Time; pyspark ships the jar) and Trino's own rules
// around it (io.trino.operator.scalar.DateTimeFunctions, io.trino.spi.type.TimeZoneKey,
// DateTimeEncoding.packDateTimeWithZone, TryFunction). Used by tests/dbt/test_dbt_timestamps.py
// to check each hostile string's claimed Athena result against the parser itself.
//
//   java -cp joda-time.jar AthenaParse.java MODE  < base64 lines  > one result per line
//
// MODE timestamp / date: the athena__ branches as they were before the dates-and-timestamps contract
// (trim, then epoch seconds, from_iso8601_timestamp, date_parse). MODE iso / ymd: the contract's
// Athena branch after the text check, i.e. from_iso8601_timestamp resp. date_parse(..., '%Y-%m-%d')
// on the canonical text alone.
//
// Result: "VALUE <UTC ISO-8601 with millis>" | "NULL" (try() gave null) | "ERROR <why>" (the error
// escapes try(): the whole query fails).
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.joda.time.chrono.ISOChronology;
import org.joda.time.format.DateTimeFormatter;
import org.joda.time.format.DateTimeFormatterBuilder;
import org.joda.time.format.ISODateTimeFormat;

public class AthenaParse {
    static final class QueryFails extends RuntimeException {
        QueryFails(String why) { super(why); }
    }

    // from_iso8601_timestamp: ISODateTimeFormat.dateTimeParser() in the session zone (UTC on Athena),
    // offset kept; the result is packed with its zone id, which must be a Trino TimeZoneKey
    // (whole minutes within -14:00..+14:00) and whose millis must fit in 52 bits.
    static final DateTimeFormatter ISO = ISODateTimeFormat.dateTimeParser()
            .withChronology(ISOChronology.getInstanceUTC()).withOffsetParsed();

    // date_parse's MySQL-style specifiers as Trino's createDateTimeFormatter builds them.
    static DateTimeFormatter dateParse(String format) {
        DateTimeFormatterBuilder b = new DateTimeFormatterBuilder();
        boolean escaped = false;
        for (char c : format.toCharArray()) {
            if (escaped) {
                switch (c) {
                    case 'Y' -> b.appendYear(4, 4);
                    case 'm' -> b.appendMonthOfYear(2);
                    case 'd' -> b.appendDayOfMonth(2);
                    case 'H' -> b.appendHourOfDay(2);
                    case 'i' -> b.appendMinuteOfHour(2);
                    case 's' -> b.appendSecondOfMinute(2);
                    case 'b' -> b.appendMonthOfYearShortText();
                    default -> b.appendLiteral(c);
                }
                escaped = false;
            } else if (c == '%') {
                escaped = true;
            } else {
                b.appendLiteral(c);
            }
        }
        return b.toFormatter().withZoneUTC().withLocale(Locale.ENGLISH);
    }

    // Trino's trim (airlift SliceUtf8.trim): Java whitespace at both ends.
    static String trim(String s) {
        int start = 0, end = s.length();
        while (start < end && Character.isWhitespace(s.codePointAt(start))) start += Character.charCount(s.codePointAt(start));
        while (end > start && Character.isWhitespace(s.codePointBefore(end))) end -= Character.charCount(s.codePointBefore(end));
        return s.substring(start, end);
    }

    static Long tryIso(String s) {
        DateTime parsed;
        try {
            parsed = ISO.parseDateTime(s);
        } catch (IllegalArgumentException e) {
            return null; // INVALID_FUNCTION_ARGUMENT: try() gives null
        }
        int offsetMillis = parsed.getZone().getOffset(parsed.getMillis());
        if (offsetMillis % 60_000 != 0 || Math.abs(offsetMillis) > 14 * 3_600_000) {
            throw new QueryFails("time zone not supported: " + parsed.getZone().getID());
        }
        long millis = parsed.getMillis();
        if ((millis << 12 >> 12) != millis) {
            throw new QueryFails("millis overflow: " + millis);
        }
        return millis;
    }

    static Long tryDateParse(String s, String format) {
        try {
            return dateParse(format).parseMillis(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static Long timestamp(String raw) {
        String s = trim(raw);
        if (s.matches("[0-9]{9,11}")) {
            return Long.parseLong(s) * 1000;
        }
        Long iso = tryIso(s);
        return iso != null ? iso : tryDateParse(s, "%Y-%m-%d %H:%i:%s");
    }

    static Long date(String raw) {
        String s = trim(raw);
        for (String format : new String[] {"%Y-%m-%d", "%m/%d/%Y", "%d %b %Y"}) {
            Long millis = tryDateParse(s, format);
            if (millis != null) {
                return Math.floorDiv(millis, 86_400_000L) * 86_400_000L;
            }
        }
        return null;
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String raw = new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
            String out;
            try {
                Long millis = switch (mode) {
                    case "timestamp" -> timestamp(raw);
                    case "date" -> date(raw);
                    case "iso" -> tryIso(raw);
                    case "ymd" -> tryDateParse(raw, "%Y-%m-%d");
                    default -> throw new IllegalArgumentException("mode: timestamp, date, iso or ymd");
                };
                out = millis == null ? "NULL" : "VALUE " + new DateTime(millis, DateTimeZone.UTC);
            } catch (QueryFails e) {
                out = "ERROR " + e.getMessage();
            }
            System.out.println(out);
        }
    }
}
