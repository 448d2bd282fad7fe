/* ctxcore.local._speedups: the hot paths of Local, LocalStack and LocalProxy in C.
 *
 * The pure-Python modules (_local.py, _stack.py, _proxy.py) are the reference; this
 * module only replaces what runs on every request: reading and writing a Local's
 * attribute, pushing/popping/peeking a LocalStack, and resolving a LocalProxy's target
 * for attribute access. Everything else (construction, repr, errors, copy-on-write
 * bookkeeping, the rest of the proxy's data model) stays in Python, in _compiled.py,
 * and reaches these types through a few private `_ctxcore_*` methods.
 *
 * Values are kept exactly as the pure-Python implementation keeps them, so both share
 * one representation (and the diagnostics that scan for it):
 *   - a Local's current ident holds a bound `storage.__getitem__` (a builtin method
 *     whose __self__ is the storage dict), or its "empty" equivalent;
 *   - a LocalStack's current ident holds an immutable (item, below, marker) frame.
 *
 * Copy-on-write under "context" (see _local.py's module docstring for the full rules):
 * a write republishes the storage under a fresh bound method first; if the storage is
 * then referenced only by that method and by this function, no other context can see
 * it and it is written in place. Anything else goes to the Python hook, which copies.
 * The check errs towards copying: a stray reference costs a copy, never correctness.
 *
 * Module state is process-global (single-phase init): the extension is not meant for
 * sub-interpreters.
 *
 * Files: this one (the module: shared objects, configure(), init), _speedups.h (what
 * they share), _speedups_local.c, _speedups_stack.c, _speedups_proxy.c (one type each;
 * the proxy's file also holds its Lookup).
 */

#include "_speedups.h"

PyObject *ctxcore_UNBOUND = NULL;
PyObject *ctxcore_UNBOUND_ATTR = NULL;
PyObject *ctxcore_OWN_NAMES = NULL;
PyObject *ctxcore_DICT_GETITEM = NULL;

/* ------------------------------------------------------------------------------ */
/* Module                                                                          */
/* ------------------------------------------------------------------------------ */

static PyObject *
configure(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *unbound, *unbound_attr, *own;
    if (!PyArg_ParseTuple(args, "OOO!:configure", &unbound, &unbound_attr,
                          &PyFrozenSet_Type, &own)) {
        return NULL;
    }
    Py_XSETREF(ctxcore_UNBOUND, Py_NewRef(unbound));
    Py_XSETREF(ctxcore_UNBOUND_ATTR, Py_NewRef(unbound_attr));
    Py_XSETREF(ctxcore_OWN_NAMES, Py_NewRef(own));
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(unbound, unbound_attr, own_names): set the proxy's shared objects."},
    {"target", ctxcore_proxy_target, METH_O,
     "target(proxy): the proxy's current object, or RuntimeError when unbound."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "ctxcore.local._speedups",
    .m_doc = "C hot paths of ctxcore's Local, LocalStack and LocalProxy (see _compiled.py).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (ctxcore_DICT_GETITEM == NULL) {
        ctxcore_DICT_GETITEM =
            PyObject_GetAttrString((PyObject *)&PyDict_Type, "__getitem__");
        if (ctxcore_DICT_GETITEM == NULL) {
            return NULL;
        }
        if (Py_TYPE(ctxcore_DICT_GETITEM)->tp_descr_get == NULL) {
            PyErr_SetString(PyExc_ImportError, "dict.__getitem__ is not a descriptor");
            return NULL;
        }
    }
    PyTypeObject *types[] = {&ctxcore_LocalBaseType, &ctxcore_StackBaseType,
                             &ctxcore_LookupType, &ctxcore_ProxyBaseType};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (PyType_Ready(types[i]) < 0) {
            return NULL;
        }
    }
    PyObject *module = PyModule_Create(&speedups_module);
    if (module == NULL) {
        return NULL;
    }
    const char *names[] = {"LocalBase", "StackBase", "Lookup", "ProxyBase"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        Py_INCREF(types[i]);
        if (PyModule_AddObject(module, names[i], (PyObject *)types[i]) < 0) {
            Py_DECREF(types[i]);
            Py_DECREF(module);
            return NULL;
        }
    }
    if (PyModule_AddIntConstant(module, "SOURCE_CONTEXT", SOURCE_CONTEXT) < 0
        || PyModule_AddIntConstant(module, "SOURCE_GREENLET", SOURCE_GREENLET) < 0
        || PyModule_AddIntConstant(module, "SOURCE_THREAD", SOURCE_THREAD) < 0
        || PyModule_AddIntConstant(module, "SOURCE_READER", SOURCE_READER) < 0
        || PyModule_AddIntConstant(module, "LOOKUP_CALL", LOOKUP_CALL) < 0
        || PyModule_AddIntConstant(module, "LOOKUP_VAR", LOOKUP_VAR) < 0
        || PyModule_AddIntConstant(module, "LOOKUP_LOCAL", LOOKUP_LOCAL) < 0
        || PyModule_AddIntConstant(module, "LOOKUP_STACK", LOOKUP_STACK) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
