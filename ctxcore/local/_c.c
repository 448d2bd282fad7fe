/* ctxcore.local._c: Local, LocalStack and LocalProxy with their hot paths in C.
 *
 * The types are complete on what runs on every request (a Local's read and write,
 * push/pop/top, a proxy's lookup and attribute access): no Python frame runs there.
 * Everything else is shared with the pure-Python implementation (_py.py), once:
 *   - the rules (what a storage and a frame are, the names a proxy answers itself, the
 *     reference count of an unshared storage, the read-miss message) are Python objects
 *     handed over by _init(), which ctxcore.local calls at import;
 *   - construction (_local.new_local, _stack.stack_slot, _proxy.make_lookup) is Python,
 *     called by the types' tp_new/tp_init;
 *   - the public classes are made by _init() from these base types and the shared
 *     Python methods (LocalMethods, StackMethods, the proxy's data model).
 * README.md in this folder describes the read path, the write path and copy-on-write.
 *
 * Module state is process-global (single-phase init): not meant for sub-interpreters.
 */

#include "_c.h"

PyObject *ctxcore_UNBOUND = NULL;
PyObject *ctxcore_OWN = NULL;
PyObject *ctxcore_UNBOUND_OWN = NULL;
PyObject *ctxcore_STORAGE = NULL;
PyObject *ctxcore_MARKER = NULL;
Py_ssize_t ctxcore_PUBLISHED = 0;
PyObject *ctxcore_MISSING = NULL;
PyObject *ctxcore_BUILD_LOCAL = NULL;
PyObject *ctxcore_STACK_SLOT = NULL;
PyObject *ctxcore_BUILD_PROXY = NULL;
PyObject *ctxcore_DICT_GETITEM = NULL;

/* The public classes: type(name, (base, mixin), namespace), from `classes`. */
static int
make_classes(PyObject *module, PyObject *classes)
{
    const char *names[] = {"Local", "LocalStack", "LocalProxy"};
    PyTypeObject *bases[] = {&ctxcore_LocalBaseType, &ctxcore_StackBaseType,
                             &ctxcore_ProxyBaseType};
    for (int i = 0; i < 3; i++) {
        PyObject *mixin, *namespace;
        PyObject *entry = PyDict_GetItemString(classes, names[i]);
        if (entry == NULL || !PyArg_ParseTuple(entry, "OO!", &mixin, &PyDict_Type, &namespace)) {
            PyErr_Format(PyExc_TypeError, "_init: classes[%s] must be (mixin, namespace)",
                         names[i]);
            return -1;
        }
        PyObject *cls = PyObject_CallFunction((PyObject *)&PyType_Type, "s(OO)O", names[i],
                                              bases[i], mixin, namespace);
        if (cls == NULL || PyModule_AddObject(module, names[i], cls) < 0) {
            Py_XDECREF(cls);
            return -1;
        }
    }
    return 0;
}

static PyObject *
init(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"unbound", "own", "unbound_own", "storage", "marker",
                               "published", "missing", "build_local", "stack_slot",
                               "build_proxy", "classes", NULL};
    PyObject *unbound, *own, *unbound_own, *storage, *marker, *missing, *build_local;
    PyObject *stack_slot, *build_proxy, *classes;
    Py_ssize_t published;
    if (!PyArg_ParseTupleAndKeywords(
            args, kwargs, "$OO!O!O!O!nUOOOO!:_init", keywords, &unbound, &PyFrozenSet_Type,
            &own, &PyFrozenSet_Type, &unbound_own, &PyType_Type, &storage, &PyType_Type,
            &marker, &published, &missing, &build_local, &stack_slot, &build_proxy,
            &PyDict_Type, &classes)) {
        return NULL;
    }
    /* The attribute path tests only names starting with '_' against both sets. */
    PyObject *sets[] = {own, unbound_own};
    for (int i = 0; i < 2; i++) {
        PyObject *names = PyObject_GetIter(sets[i]), *name;
        while (names != NULL && (name = PyIter_Next(names)) != NULL) {
            int bad = !PyUnicode_Check(name) || PyUnicode_GET_LENGTH(name) == 0
                      || PyUnicode_READ_CHAR(name, 0) != '_';
            Py_DECREF(name);
            if (bad) {
                Py_DECREF(names);
                PyErr_SetString(PyExc_ValueError, "_init: a proxy's own names start with '_'");
                return NULL;
            }
        }
        Py_XDECREF(names);
        if (PyErr_Occurred()) {
            return NULL;
        }
    }
    Py_XSETREF(ctxcore_UNBOUND, Py_NewRef(unbound));
    Py_XSETREF(ctxcore_OWN, Py_NewRef(own));
    Py_XSETREF(ctxcore_UNBOUND_OWN, Py_NewRef(unbound_own));
    Py_XSETREF(ctxcore_STORAGE, Py_NewRef(storage));
    Py_XSETREF(ctxcore_MARKER, Py_NewRef(marker));
    ctxcore_PUBLISHED = published;
    Py_XSETREF(ctxcore_MISSING, Py_NewRef(missing));
    Py_XSETREF(ctxcore_BUILD_LOCAL, Py_NewRef(build_local));
    Py_XSETREF(ctxcore_STACK_SLOT, Py_NewRef(stack_slot));
    Py_XSETREF(ctxcore_BUILD_PROXY, Py_NewRef(build_proxy));
    /* Called again (tests plant a changed rule), it changes only the rules. */
    if (!PyObject_HasAttrString(module, "Local") && make_classes(module, classes) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"_init", (PyCFunction)(void (*)(void))init, METH_VARARGS | METH_KEYWORDS,
     "_init(*, unbound, own, unbound_own, storage, marker, published, missing, build_local, "
     "stack_slot, build_proxy, classes): hand over the rules and make the classes."},
    {"make_local", ctxcore_make_local, METH_VARARGS,
     "make_local(subclass, reach, set, tracker, empty, where): a new Local's instance."},
    {"target", ctxcore_proxy_target, METH_O,
     "target(proxy): the proxy's current object, or RuntimeError when unbound."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef c_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "ctxcore.local._c",
    .m_doc = "ctxcore's Local, LocalStack and LocalProxy with their hot paths in C.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__c(void)
{
    if (ctxcore_DICT_GETITEM == NULL) {
        ctxcore_DICT_GETITEM = PyObject_GetAttrString((PyObject *)&PyDict_Type, "__getitem__");
        if (ctxcore_DICT_GETITEM == NULL) {
            return NULL;
        }
    }
    PyTypeObject *types[] = {&ctxcore_LocalBaseType, &ctxcore_StackBaseType,
                             &ctxcore_LookupType, &ctxcore_ProxyBaseType};
    const char *names[] = {"LocalBase", "StackBase", "Lookup", "ProxyBase"};
    PyObject *module = PyModule_Create(&c_module);
    if (module == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (PyType_Ready(types[i]) < 0
            || PyModule_AddObject(module, names[i], Py_NewRef(types[i])) < 0) {
            Py_DECREF(module);
            return NULL;
        }
    }
    return module;
}
