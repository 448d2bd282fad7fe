/* ctxcore.json._c: does a JSON-like document hold a NaN or an infinity?
 *
 * orjson writes NaN, Infinity and -Infinity as null, silently (as values, and as keys
 * under OPT_NON_STR_KEYS); the standard library writes NaN / Infinity / -Infinity, or
 * raises ValueError when allow_nan=False. So whenever orjson's output holds a null,
 * the fast dumps in _backends.py must know whether the document it handed over held a
 * non-finite float. This walk answers that in C: about 1 us for the bench's 2 KB
 * document, where a Python walk costs as much as the standard library's whole dumps.
 *
 * The pure-Python twin is _backends.py_has_non_finite, the reference: the same
 * containers are entered (dicts, keys and values; lists; tuples; their subclasses,
 * as orjson serializes them), floats and their subclasses are checked, anything else
 * is skipped. No Python code runs here (no __eq__, no __iter__, no __hash__), so
 * nothing can change a container under the walk. It runs on documents orjson has just
 * serialized (acyclic, at most 255 levels deep); Py_EnterRecursiveCall still turns a
 * cycle or runaway depth from another caller into RecursionError.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

static const char WHERE[] = " while looking for NaN or infinity in a JSON document";

/* The leaves most documents are made of: nothing to look into, no call needed. */
static inline int
is_plain_leaf(PyObject *obj)
{
    return PyUnicode_CheckExact(obj) || PyLong_CheckExact(obj) || obj == Py_None ||
           obj == Py_True || obj == Py_False;
}

/* 1: found one; 0: none; -1: an error is set. */
static int walk(PyObject *obj);

static int
walk_array(PyObject *const *items, Py_ssize_t size)
{
    for (Py_ssize_t i = 0; i < size; i++) {
        if (!is_plain_leaf(items[i])) {
            int found = walk(items[i]);
            if (found) {
                return found;
            }
        }
    }
    return 0;
}

static int
walk(PyObject *obj)
{
    if (is_plain_leaf(obj)) {
        return 0;
    }
    if (PyFloat_Check(obj)) {
        return !isfinite(PyFloat_AS_DOUBLE(obj));
    }
    int found = 0;
    if (PyDict_Check(obj)) {
        if (Py_EnterRecursiveCall(WHERE)) {
            return -1;
        }
        Py_ssize_t pos = 0;
        PyObject *key, *value;
        while (!found && PyDict_Next(obj, &pos, &key, &value)) {
            if (!is_plain_leaf(key)) {
                found = walk(key);
            }
            if (!found && !is_plain_leaf(value)) {
                found = walk(value);
            }
        }
        Py_LeaveRecursiveCall();
        return found;
    }
    if (PyList_Check(obj) || PyTuple_Check(obj)) {
        if (Py_EnterRecursiveCall(WHERE)) {
            return -1;
        }
        found = PyList_Check(obj)
                    ? walk_array(((PyListObject *)obj)->ob_item, PyList_GET_SIZE(obj))
                    : walk_array(((PyTupleObject *)obj)->ob_item, PyTuple_GET_SIZE(obj));
        Py_LeaveRecursiveCall();
        return found;
    }
    return 0;
}

static PyObject *
has_non_finite(PyObject *Py_UNUSED(module), PyObject *obj)
{
    int found = walk(obj);
    if (found < 0) {
        return NULL;
    }
    return PyBool_FromLong(found);
}

static PyMethodDef module_methods[] = {
    {"has_non_finite", has_non_finite, METH_O,
     "has_non_finite(obj): whether the JSON-like value holds a NaN or an infinity\n"
     "(in dict keys or values, list or tuple items, at any depth)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "ctxcore.json._c",
    .m_doc = "Whether a JSON-like document holds a NaN or an infinity, in C.",
    .m_size = 0,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__c(void)
{
    return PyModuleDef_Init(&speedups_module);
}
