/* _jcs: RFC 8785 (JSON Canonicalization Scheme) bytes of a JSON-ready Python value, in one pass.

   canonical(obj) -> bytes | None

   Writes dicts, lists, tuples, str, int, float, bool and None straight into one growing bytes
   object: keys sorted, strings escaped as ECMAScript's JSON.stringify does, numbers in
   ECMAScript's Number::toString form (RFC 8785 §3.2.2). It answers None, with no exception set,
   for whatever it does not handle exactly, and cxops then runs the reference `rfc8785`, which
   writes it or raises the proper error:

   - any other type, subclasses included (the reference converts them; this code would have to
     run their Python methods);
   - a key that is not a str, or holds a character outside the BMP (RFC 8785 §3.2.3 orders keys
     by UTF-16 code units; that order is code-point order only inside the BMP);
   - NaN and infinities, integers beyond +-(2**53 - 1), strings holding a lone surrogate (no
     UTF-8 form);
   - containers nested deeper than MAX_DEPTH.

   Only a failed allocation raises (MemoryError). No Python code runs while the value is read
   (exact built-in types only, and no Python object is made), so nothing can change it under
   the borrowed references held here; the GIL is held throughout. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The depth the orjson-based path allows (orjson refuses 255 nested containers); the reference
   goes deeper, up to Python's recursion limit, and raises RecursionError past it. */
#define MAX_DEPTH 254
#define MAX_SAFE_INT 9007199254740991LL /* 2**53 - 1, RFC 8785 §3.2.2.3 (I-JSON) */
#define SMALL_DICT 12                   /* a dict this small sorts in a stack array */

enum { OK = 0, UNSUPPORTED = 1, FAILED = -1 }; /* FAILED: a Python exception is set */

typedef struct {
    PyObject *bytes; /* the output, over-allocated; cut to `len` at the end */
    Py_ssize_t len, cap;
} Out;

/* Make room for `extra` more bytes (doubling, so appends cost O(1) amortised). */
static int grow(Out *out, Py_ssize_t extra) {
    Py_ssize_t cap = out->cap;
    while (cap - out->len < extra) {
        if (cap > PY_SSIZE_T_MAX / 2) {
            PyErr_NoMemory();
            return FAILED;
        }
        cap *= 2;
    }
    if (_PyBytes_Resize(&out->bytes, cap) < 0) /* frees the object and sets NULL on failure */
        return FAILED;
    out->cap = cap;
    return OK;
}

#define RESERVE(out, n) ((out)->cap - (out)->len >= (n) ? OK : grow((out), (n)))
#define AT(out) (PyBytes_AS_STRING((out)->bytes) + (out)->len)

static inline int put(Out *out, const char *text, Py_ssize_t n) {
    if (RESERVE(out, n))
        return FAILED;
    memcpy(AT(out), text, n);
    out->len += n;
    return OK;
}

/* ---- strings (RFC 8785 §3.2.2.2) ---------------------------------------------------------- */

/* For each ASCII byte: 0 when written as is, else the letter after the backslash ('u': \u00xx).
   Filled in by module init. U+007F and everything beyond ASCII are written raw. */
static char ESCAPE[128];
static const char HEX[] = "0123456789abcdef";

/* Write the escape of ASCII `c` (ESCAPE[c] != 0); room for 6 bytes is reserved. */
static void put_escape(Out *out, unsigned char c) {
    char *p = AT(out);
    p[0] = '\\';
    p[1] = ESCAPE[c];
    if (ESCAPE[c] != 'u') {
        out->len += 2;
        return;
    }
    p[2] = '0';
    p[3] = '0';
    p[4] = HEX[c >> 4];
    p[5] = HEX[c & 15];
    out->len += 6;
}

/* Where the first byte needing an escape (below 0x20, '"' or '\\') is, from i on; n if none.
   Eight bytes at a time: in ASCII (no byte above 0x7F) the classic tests below are exact about
   whether a word holds a byte below 0x20 or equal to '"' or '\\'. */
static inline Py_ssize_t next_escape(const unsigned char *s, Py_ssize_t i, Py_ssize_t n) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    for (; i + 8 <= n; i += 8) {
        uint64_t w, quote, backslash;
        memcpy(&w, s + i, 8);
        quote = w ^ (ones * '"');
        backslash = w ^ (ones * '\\');
        if ((((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) |
             ((backslash - ones) & ~backslash)) & highs)
            break; /* the byte loop below finds which one */
    }
    while (i < n && !ESCAPE[s[i]])
        i++;
    return i;
}

/* An ASCII string: copy the runs between the few bytes that need an escape. */
static int put_ascii(Out *out, const unsigned char *s, Py_ssize_t n) {
    if (RESERVE(out, n + 2))
        return FAILED;
    Py_ssize_t run = 0, i; /* run: the first byte not yet copied */
    *AT(out) = '"';
    out->len++;
    while ((i = next_escape(s, run, n)) < n) {
        /* the run, this escape (6 bytes at most), the rest and the closing quote */
        if (RESERVE(out, (i - run) + 6 + (n - i)))
            return FAILED;
        memcpy(AT(out), s + run, i - run);
        out->len += i - run;
        put_escape(out, s[i]);
        run = i + 1;
    }
    memcpy(AT(out), s + run, n - run);
    out->len += n - run;
    *AT(out) = '"';
    out->len++;
    return OK;
}

/* A string with non-ASCII characters: encode each code point to UTF-8 here (rather than
   PyUnicode_AsUTF8AndSize, which would keep a UTF-8 copy alive on every string of the value). */
static int put_wide(Out *out, PyObject *str) {
    int kind = PyUnicode_KIND(str);
    const void *data = PyUnicode_DATA(str);
    Py_ssize_t n = PyUnicode_GET_LENGTH(str);
    if (put(out, "\"", 1))
        return FAILED;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (RESERVE(out, 6))
            return FAILED;
        unsigned char *p = (unsigned char *)AT(out);
        if (c < 0x80) {
            if (ESCAPE[c]) {
                put_escape(out, (unsigned char)c);
                continue;
            }
            p[0] = (unsigned char)c;
            out->len += 1;
        } else if (c < 0x800) {
            p[0] = (unsigned char)(0xC0 | (c >> 6));
            p[1] = (unsigned char)(0x80 | (c & 0x3F));
            out->len += 2;
        } else if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF)
                return UNSUPPORTED; /* a lone surrogate has no UTF-8 form */
            p[0] = (unsigned char)(0xE0 | (c >> 12));
            p[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            p[2] = (unsigned char)(0x80 | (c & 0x3F));
            out->len += 3;
        } else {
            p[0] = (unsigned char)(0xF0 | (c >> 18));
            p[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            p[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            p[3] = (unsigned char)(0x80 | (c & 0x3F));
            out->len += 4;
        }
    }
    return put(out, "\"", 1);
}

static int put_str(Out *out, PyObject *str) {
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(str) < 0) /* legacy strings (3.11) get their compact form first */
        return FAILED;
#endif
    if (PyUnicode_IS_ASCII(str))
        return put_ascii(out, PyUnicode_1BYTE_DATA(str), PyUnicode_GET_LENGTH(str));
    return put_wide(out, str);
}

/* ---- numbers (RFC 8785 §3.2.2.3: ECMAScript Number::toString) ----------------------------- */

static int put_integer(Out *out, long long v) {
    char tmp[24], *end = tmp + sizeof tmp, *p = end;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return put(out, p, end - p);
}

static int put_int(Out *out, PyObject *obj) {
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (v == -1 && PyErr_Occurred())
        return FAILED;
    if (overflow || v > MAX_SAFE_INT || v < -MAX_SAFE_INT)
        return UNSUPPORTED; /* the reference raises IntegerDomainError */
    return put_integer(out, v);
}

/* Powers of ten that doubles hold exactly (10**22 is the last). */
static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The shortest digits of a short decimal, without dtoa: if y = m / 10**p for an integer m below
   10**15 and p <= 22, the division is correctly rounded (both operands are exact), so the decimal
   m * 10**-p is one that reads back as y; and as no two decimals of 15 significant digits or
   fewer read back as the same normal double (DBL_DIG), it is y's shortest (trailing zeros
   dropped). Covers thresholds and rounded scores (0.25, 0.875, 12.5); answers 0 otherwise. */
static int short_decimal(double y, char *digits, int *n) {
    /* Below 1e-22 no m >= 1 fits (p stops at 22), so the doubles this path answers are normal
       ones, where the DBL_DIG argument holds; this test only saves the loop. */
    if (y < 1e-23)
        return 0;
    for (int p = 1; p <= 22; p++) {
        double scaled = y * POW10[p];
        if (scaled >= 1e15)
            return 0;
        double m = (double)(long long)(scaled + 0.5); /* the nearest integer (checked below) */
        if (m / POW10[p] != y)
            continue;
        char tmp[24], *end = tmp + sizeof tmp, *q = end;
        for (long long v = (long long)m; v; v /= 10)
            *--q = (char)('0' + v % 10);
        int k = (int)(end - q);
        *n = k - p;
        while (end[-1] == '0') /* m = 120 with p = 3 is 0.12 */
            end--;
        memcpy(digits, q, end - q);
        return (int)(end - q);
    }
    return 0;
}

/* The shortest digits that read back as y > 0, as repr() finds them ("1.5e-07", "0.001"):
   ECMAScript asks for the same (ECMA-262 Number::toString, note 2: the fewest digits, the
   closest to y on a tie, which Python's correctly rounded repr gives). Sets n as for
   short_decimal; answers the digit count, or -1 with MemoryError set. */
static int repr_digits(double y, char *digits, int *n) {
    char *repr = PyOS_double_to_string(y, 'r', 0, 0, NULL);
    if (repr == NULL)
        return -1;
    int k = 0, point = -1;
    const char *p = repr;
    for (; *p && *p != 'e' && k < 24; p++) {
        if (*p == '.')
            point = k;
        else
            digits[k++] = *p;
    }
    int exponent = *p == 'e' ? atoi(p + 1) : 0;
    PyMem_Free(repr);
    *n = (point < 0 ? k : point) + exponent;
    int lead = 0;
    while (digits[lead] == '0') { /* "0.001" */
        lead++;
        --*n;
    }
    while (digits[k - 1] == '0') /* "1e+22", "100.5" have none; "1000.0" would */
        k--;
    memmove(digits, digits + lead, k - lead);
    return k - lead;
}

static int put_float(Out *out, double x) {
    if (!isfinite(x))
        return UNSUPPORTED; /* the reference raises FloatDomainError */
    /* A whole number below 2**53 is its integer's digits (-0.0 is "0"): no formatting needed. */
    if (fabs(x) < 9007199254740992.0 && x == (double)(long long)x)
        return put_integer(out, (long long)x);

    /* |x| = 0.d1d2...dk * 10**n, with d1 and dk not zero */
    char d[32];
    int n, k = short_decimal(fabs(x), d, &n);
    if (k == 0 && (k = repr_digits(fabs(x), d, &n)) < 0)
        return FAILED;

    /* ECMA-262 Number::toString steps 7-10 (at most 1 + 21 + 1, or 2 + 5 + 17, bytes) */
    char text[48];
    int len = 0;
    if (x < 0)
        text[len++] = '-';
    if (k <= n && n <= 21) { /* 1e20 -> 100000000000000000000 */
        memcpy(text + len, d, k);
        memset(text + len + k, '0', n - k);
        len += n;
    } else if (0 < n && n <= 21) { /* 123.45 */
        memcpy(text + len, d, n);
        text[len + n] = '.';
        memcpy(text + len + n + 1, d + n, k - n);
        len += k + 1;
    } else if (-6 < n && n <= 0) { /* 0.0000015 */
        text[len++] = '0';
        text[len++] = '.';
        memset(text + len, '0', -n);
        memcpy(text + len - n, d, k);
        len += k - n;
    } else { /* 1.5e-7, 1e+21 */
        text[len++] = d[0];
        if (k > 1) {
            text[len++] = '.';
            memcpy(text + len, d + 1, k - 1);
            len += k - 1;
        }
        int e = n - 1 < 0 ? 1 - n : n - 1; /* 1 to 324 */
        text[len++] = 'e';
        text[len++] = n - 1 < 0 ? '-' : '+';
        if (e >= 100)
            text[len++] = (char)('0' + e / 100);
        if (e >= 10)
            text[len++] = (char)('0' + e / 10 % 10);
        text[len++] = (char)('0' + e % 10);
    }
    return put(out, text, len);
}

/* ---- containers ------------------------------------------------------------------------- */

static int put_value(Out *out, PyObject *obj, int depth);

/* Keys in code-point order (str comparison); equal to UTF-16 order as no key leaves the BMP.
   Most keys are one byte per character (Latin-1): compared here byte by byte. */
static inline int compare_str(PyObject *a, PyObject *b) {
    if (PyUnicode_KIND(a) != PyUnicode_1BYTE_KIND || PyUnicode_KIND(b) != PyUnicode_1BYTE_KIND)
        return PyUnicode_Compare(a, b);
    const Py_UCS1 *x = PyUnicode_1BYTE_DATA(a), *y = PyUnicode_1BYTE_DATA(b);
    Py_ssize_t nx = PyUnicode_GET_LENGTH(a), ny = PyUnicode_GET_LENGTH(b);
    for (Py_ssize_t i = 0; i < nx && i < ny; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return nx < ny ? -1 : nx > ny;
}

static int compare_keys(const void *a, const void *b) {
    return compare_str(((PyObject *const *)a)[0], ((PyObject *const *)b)[0]);
}

static int put_dict(Out *out, PyObject *dict, int depth) {
    Py_ssize_t n = PyDict_GET_SIZE(dict), i = 0, pos = 0;
    if (n == 0)
        return put(out, "{}", 2);
    /* (key, value) pairs, borrowed from the dict */
    PyObject *small[2 * SMALL_DICT], **pairs = small, *key, *value;
    if (n > SMALL_DICT && (pairs = PyMem_Malloc(2 * n * sizeof(PyObject *))) == NULL) {
        PyErr_NoMemory();
        return FAILED;
    }
    int status = OK;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        if (!PyUnicode_CheckExact(key)) {
            status = UNSUPPORTED; /* the reference refuses non-str keys; str subclasses go there */
            goto done;
        }
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(key) < 0) {
            status = FAILED;
            goto done;
        }
#endif
        if (PyUnicode_KIND(key) == PyUnicode_4BYTE_KIND) {
            status = UNSUPPORTED; /* a character beyond the BMP: UTF-16 order differs */
            goto done;
        }
        pairs[2 * i] = key;
        pairs[2 * i + 1] = value;
        i++;
    }
    if (n <= SMALL_DICT) { /* insertion sort: fewer comparisons than qsort's set-up costs */
        for (Py_ssize_t j = 1; j < n; j++) {
            PyObject *k = pairs[2 * j], *v = pairs[2 * j + 1];
            Py_ssize_t h = j;
            for (; h > 0 && compare_str(pairs[2 * h - 2], k) > 0; h--) {
                pairs[2 * h] = pairs[2 * h - 2];
                pairs[2 * h + 1] = pairs[2 * h - 1];
            }
            pairs[2 * h] = k;
            pairs[2 * h + 1] = v;
        }
    } else {
        qsort(pairs, n, 2 * sizeof(PyObject *), compare_keys);
    }
    for (i = 0; i < n && status == OK; i++) {
        status = put(out, i ? "," : "{", 1);
        if (status == OK)
            status = put_str(out, pairs[2 * i]);
        if (status == OK)
            status = put(out, ":", 1);
        if (status == OK)
            status = put_value(out, pairs[2 * i + 1], depth);
    }
    if (status == OK)
        status = put(out, "}", 1);
done:
    if (pairs != small)
        PyMem_Free(pairs);
    return status;
}

/* A list or a tuple (the reference writes both as arrays). */
static int put_array(Out *out, PyObject *seq, int depth) {
    Py_ssize_t n = Py_SIZE(seq);
    PyObject **items = PyList_CheckExact(seq) ? ((PyListObject *)seq)->ob_item
                                              : ((PyTupleObject *)seq)->ob_item;
    if (put(out, "[", 1))
        return FAILED;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i && put(out, ",", 1))
            return FAILED;
        int status = put_value(out, items[i], depth);
        if (status != OK)
            return status;
    }
    return put(out, "]", 1);
}

static int put_value(Out *out, PyObject *obj, int depth) {
    PyTypeObject *type = Py_TYPE(obj);
    if (type == &PyUnicode_Type)
        return put_str(out, obj);
    if (type == &PyFloat_Type)
        return put_float(out, PyFloat_AS_DOUBLE(obj));
    if (type == &PyLong_Type) /* exact: True and False are bool, not int */
        return put_int(out, obj);
    if (obj == Py_None)
        return put(out, "null", 4);
    if (obj == Py_True)
        return put(out, "true", 4);
    if (obj == Py_False)
        return put(out, "false", 5);
    if (type != &PyDict_Type && type != &PyList_Type && type != &PyTuple_Type)
        return UNSUPPORTED; /* subclasses and other types: the reference decides */
    if (depth >= MAX_DEPTH)
        return UNSUPPORTED;
    if (type == &PyDict_Type)
        return put_dict(out, obj, depth + 1);
    return put_array(out, obj, depth + 1);
}

static PyObject *canonical(PyObject *module, PyObject *obj) {
    Out out = {PyBytes_FromStringAndSize(NULL, 1024), 0, 1024};
    if (out.bytes == NULL)
        return NULL;
    int status = put_value(&out, obj, 0);
    if (status == OK) {
        if (_PyBytes_Resize(&out.bytes, out.len) < 0)
            return NULL;
        return out.bytes;
    }
    Py_XDECREF(out.bytes); /* NULL when a failed resize already freed it */
    if (status == UNSUPPORTED)
        Py_RETURN_NONE;
    return NULL;
}

static PyMethodDef methods[] = {
    {"canonical", canonical, METH_O,
     "canonical(obj, /)\n--\n\nRFC 8785 bytes of obj, or None where the reference must decide."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_jcs", "RFC 8785 canonical JSON in one pass (see _jcs.c).", -1,
    methods,
};

PyMODINIT_FUNC PyInit__jcs(void) {
    for (int c = 0; c < 0x20; c++)
        ESCAPE[c] = 'u';
    ESCAPE['\b'] = 'b';
    ESCAPE['\f'] = 'f';
    ESCAPE['\n'] = 'n';
    ESCAPE['\r'] = 'r';
    ESCAPE['\t'] = 't';
    ESCAPE['"'] = '"';
    ESCAPE['\\'] = '\\';
    return PyModule_Create(&module);
}
