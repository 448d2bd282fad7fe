/* The C LocalProxy: its lookup (a callable) and attribute access (see _c.h). */

#include "_c.h"

enum { LOOKUP_CALL, LOOKUP_VAR, LOOKUP_LOCAL, LOOKUP_STACK };

typedef struct {
    PyObject_HEAD
    int kind;
    PyObject *source;
    PyObject *names;     /* tuple of attribute names taken in turn (a dotted name) */
    PyObject *fallback;  /* called for the object when the source holds nothing, or NULL */
} LookupObject;

PyTypeObject ctxcore_LookupType;

/* The current object (new reference), ctxcore_UNBOUND when nothing is bound, NULL on error. */
static PyObject *
lookup_resolve(LookupObject *self)
{
    PyObject *obj = NULL;
    Py_ssize_t start = 0;
    switch (self->kind) {
    case LOOKUP_VAR:
        if (PyContextVar_Get(self->source, ctxcore_UNBOUND, &obj) < 0) {
            return NULL;
        }
        break;
    case LOOKUP_LOCAL:
        /* getattr(local, first, ctxcore_UNBOUND): any AttributeError means unbound. */
        obj = PyObject_GetAttr(self->source, PyTuple_GET_ITEM(self->names, 0));
        if (obj == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
                return NULL;
            }
            PyErr_Clear();
            return Py_NewRef(ctxcore_UNBOUND);
        }
        start = 1;
        break;
    case LOOKUP_STACK:
        obj = ctxcore_stack_top_or(self->source, ctxcore_UNBOUND);
        if (obj == NULL) {
            return NULL;
        }
        break;
    default:
        obj = PyObject_CallNoArgs(self->source);
        if (obj == NULL) {
            return NULL;
        }
    }
    if (obj == ctxcore_UNBOUND && self->fallback != NULL) {
        Py_DECREF(obj);
        return PyObject_CallNoArgs(self->fallback);
    }
    Py_ssize_t count = PyTuple_GET_SIZE(self->names);
    for (Py_ssize_t i = start; i < count && obj != ctxcore_UNBOUND; i++) {
        PyObject *next = PyObject_GetAttr(obj, PyTuple_GET_ITEM(self->names, i));
        Py_DECREF(obj);
        if (next == NULL) {
            return NULL;
        }
        obj = next;
    }
    return obj;
}

static PyObject *
lookup_call(PyObject *op, PyObject *args, PyObject *kwargs)
{
    if (PyTuple_GET_SIZE(args) != 0 || (kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0)) {
        PyErr_SetString(PyExc_TypeError, "a proxy lookup takes no arguments");
        return NULL;
    }
    return lookup_resolve((LookupObject *)op);
}

/* Lookup(kind, source, names, fallback): kind is _proxy.make_lookup's word for it. */
static PyObject *
lookup_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"kind", "source", "names", "fallback", NULL};
    PyObject *word, *source, *names, *fallback = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "UOO!|O:Lookup", keywords, &word, &source,
                                     &PyTuple_Type, &names, &fallback)) {
        return NULL;
    }
    const char *kinds[] = {"call", "var", "local", "stack"};
    int kind = 0;
    while (kind < 4 && PyUnicode_CompareWithASCIIString(word, kinds[kind]) != 0) {
        kind++;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(names);
    for (Py_ssize_t i = 0; i < count; i++) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(names, i))) {
            PyErr_SetString(PyExc_TypeError, "names must be strings");
            return NULL;
        }
    }
    if ((kind == LOOKUP_VAR && !PyContextVar_CheckExact(source))
        || (kind == LOOKUP_LOCAL && count == 0)
        || (kind == LOOKUP_STACK && !PyObject_TypeCheck(source, &ctxcore_StackBaseType))
        || (kind == LOOKUP_CALL && !PyCallable_Check(source)) || kind == 4
        || (fallback != Py_None && !PyCallable_Check(fallback))) {
        PyErr_SetString(PyExc_TypeError, "Lookup: source does not match kind");
        return NULL;
    }
    LookupObject *self = PyObject_GC_New(LookupObject, type);
    if (self == NULL) {
        return NULL;
    }
    self->kind = kind;
    self->source = Py_NewRef(source);
    self->names = Py_NewRef(names);
    self->fallback = fallback == Py_None ? NULL : Py_NewRef(fallback);
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

static int
lookup_traverse(PyObject *op, visitproc visit, void *arg)
{
    LookupObject *self = (LookupObject *)op;
    Py_VISIT(self->source);
    Py_VISIT(self->names);
    Py_VISIT(self->fallback);
    return 0;
}

static int
lookup_clear(PyObject *op)
{
    LookupObject *self = (LookupObject *)op;
    Py_CLEAR(self->source);
    Py_CLEAR(self->names);
    Py_CLEAR(self->fallback);
    return 0;
}

static void
lookup_dealloc(PyObject *op)
{
    PyObject_GC_UnTrack(op);
    lookup_clear(op);
    PyObject_GC_Del(op);
}

PyTypeObject ctxcore_LookupType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ctxcore.local._c.Lookup",
    .tp_basicsize = sizeof(LookupObject),
    .tp_dealloc = lookup_dealloc,
    .tp_call = lookup_call,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Lookup(kind, source, names, fallback=None)(): a proxy's object, or UNBOUND.",
    .tp_traverse = lookup_traverse,
    .tp_clear = lookup_clear,
    .tp_new = lookup_new,
};

typedef struct {
    PyObject_HEAD
    PyObject *weaklist;
    PyObject *lookup;   /* a Lookup */
    PyObject *message;  /* the unbound message */
    PyObject *wrapped;  /* the source, as given */
} ProxyObject;

PyTypeObject ctxcore_ProxyBaseType;

static PyObject *
proxy_resolve(ProxyObject *self)
{
    if (self->lookup == NULL) {
        PyErr_SetString(PyExc_TypeError, "this LocalProxy is not initialised");
        return NULL;
    }
    return lookup_resolve((LookupObject *)self->lookup);
}

/* Attribute access: _proxy.OWN by the proxy, the rest forwarded; unbound, the names
 * in _proxy.UNBOUND_OWN by the proxy and everything else the RuntimeError. */
static PyObject *
proxy_getattro(PyObject *op, PyObject *name)
{
    ProxyObject *self = (ProxyObject *)op;
    /* Both sets hold only names starting with '_' (_init checks). */
    int underscore = PyUnicode_Check(name) && PyUnicode_GET_LENGTH(name) > 0
                     && PyUnicode_READ_CHAR(name, 0) == '_';
    int own = underscore ? PySet_Contains(ctxcore_OWN, name) : 0;
    if (own != 0) {
        return own < 0 ? NULL : PyObject_GenericGetAttr(op, name);
    }
    PyObject *obj = proxy_resolve(self);
    if (obj == NULL) {
        return NULL;
    }
    if (obj == ctxcore_UNBOUND) {
        Py_DECREF(obj);
        own = underscore ? PySet_Contains(ctxcore_UNBOUND_OWN, name) : 0;
        if (own == 0) {
            PyErr_SetObject(PyExc_RuntimeError, self->message);
        }
        return own <= 0 ? NULL : PyObject_GenericGetAttr(op, name);
    }
    PyObject *attr = PyObject_GetAttr(obj, name);
    Py_DECREF(obj);
    return attr;
}

/* target(proxy): the current object, or RuntimeError with the unbound message. */
PyObject *
ctxcore_proxy_target(PyObject *Py_UNUSED(module), PyObject *op)
{
    if (!PyObject_TypeCheck(op, &ctxcore_ProxyBaseType)) {
        PyErr_SetString(PyExc_TypeError, "target() takes a C LocalProxy");
        return NULL;
    }
    ProxyObject *self = (ProxyObject *)op;
    PyObject *obj = proxy_resolve(self);
    if (obj == ctxcore_UNBOUND) {
        Py_DECREF(obj);
        PyErr_SetObject(PyExc_RuntimeError, self->message);
        return NULL;
    }
    return obj;
}

/* LocalProxy(local, name=None, *, unbound_message=None, fallback=None): the lookup and
 * message from _proxy.make_lookup and checked_message. */
static int
proxy_init(PyObject *op, PyObject *args, PyObject *kwargs)
{
    ProxyObject *self = (ProxyObject *)op;
    PyObject *lookup, *message, *wrapped;
    if (self->lookup != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "a LocalProxy is initialised once");
        return -1;
    }
    PyObject *parts = PyObject_Call(ctxcore_BUILD_PROXY, args, kwargs);
    if (parts == NULL || !PyArg_ParseTuple(parts, "O!UO", &ctxcore_LookupType, &lookup,
                                           &message, &wrapped)) {
        Py_XDECREF(parts);
        return -1;
    }
    self->message = Py_NewRef(message);
    self->wrapped = Py_NewRef(wrapped);
    self->lookup = Py_NewRef(lookup);
    Py_DECREF(parts);
    return 0;
}

static int
proxy_traverse(PyObject *op, visitproc visit, void *arg)
{
    ProxyObject *self = (ProxyObject *)op;
    Py_VISIT(self->lookup);
    Py_VISIT(self->message);
    Py_VISIT(self->wrapped);
    return 0;
}

static int
proxy_clear(PyObject *op)
{
    ProxyObject *self = (ProxyObject *)op;
    Py_CLEAR(self->lookup);  /* first: it marks the object bound (see local_clear) */
    Py_CLEAR(self->message);
    Py_CLEAR(self->wrapped);
    return 0;
}

static void
proxy_dealloc(PyObject *op)
{
    ProxyObject *self = (ProxyObject *)op;
    PyObject_GC_UnTrack(op);
    if (self->weaklist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    proxy_clear(op);
    Py_TYPE(op)->tp_free(op);
}

static PyMemberDef proxy_members[] = {
    {"_ctxcore_lookup", T_OBJECT, offsetof(ProxyObject, lookup), READONLY, "the lookup"},
    {"_ctxcore_message", T_OBJECT, offsetof(ProxyObject, message), READONLY,
     "the unbound message"},
    {"__wrapped__", T_OBJECT, offsetof(ProxyObject, wrapped), READONLY, "the source"},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject ctxcore_ProxyBaseType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ctxcore.local._c.ProxyBase",
    .tp_basicsize = sizeof(ProxyObject),
    .tp_dealloc = proxy_dealloc,
    .tp_getattro = proxy_getattro,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The C attribute path of ctxcore's LocalProxy.",
    .tp_traverse = proxy_traverse,
    .tp_clear = proxy_clear,
    .tp_weaklistoffset = offsetof(ProxyObject, weaklist),
    .tp_init = proxy_init,
    .tp_members = proxy_members,
    .tp_new = PyType_GenericNew,
};
