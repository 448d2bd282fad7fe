/* The C Local: its read and write paths (see _c.h; the rules are in README.md). */

#include "_c.h"

enum { SOURCE_CONTEXT, SOURCE_GREENLET, SOURCE_THREAD, SOURCE_READER };

typedef struct {
    PyObject_HEAD
    PyObject *weaklist;
    int source;
    PyObject *var;         /* SOURCE_CONTEXT: the ContextVar */
    PyObject *getcurrent;  /* SOURCE_GREENLET: greenlet.getcurrent */
    PyObject *holder;      /* SOURCE_THREAD: the interpreter's thread-local object */
    PyObject *key;         /* the attribute holding the value on the greenlet/holder */
    PyObject *reader;      /* SOURCE_READER: reader(x) -> published value or empty */
    PyObject *set;         /* slot.set: publish for the other sources */
    PyObject *tracker;     /* the Tracker (None for callable idents) */
    PyObject *empty;       /* the published value meaning "nothing stored" */
    PyObject *nothing;     /* empty's storage: never written to */
    PyObject *where;       /* the ident source, named for the read-miss message */
} LocalObject;

PyTypeObject ctxcore_LocalBaseType;

/* The current ident's published value (new reference), or NULL with no error set when
 * nothing was published; NULL with an error set on failure. */
static PyObject *
local_published(LocalObject *self)
{
    PyObject *value = NULL;
    switch (self->source) {
    case SOURCE_CONTEXT:
        return PyContextVar_Get(self->var, NULL, &value) < 0 ? NULL : value;
    case SOURCE_GREENLET: {
        PyObject *current = PyObject_CallNoArgs(self->getcurrent);
        if (current == NULL) {
            return NULL;
        }
        int found = optional_attr(current, self->key, &value);
        Py_DECREF(current);
        return found < 0 ? NULL : value;
    }
    case SOURCE_THREAD:
        return optional_attr(self->holder, self->key, &value) < 0 ? NULL : value;
    default:
        return PyObject_CallOneArg(self->reader, Py_None);
    }
}

/* Raise _local.MISSING's AttributeError for `name`. */
static void
local_missing(PyObject *op, PyObject *name)
{
    PyObject *type_name = PyObject_GetAttrString((PyObject *)Py_TYPE(op), "__name__");
    PyObject *parts = type_name == NULL ? NULL
        : PyTuple_Pack(3, type_name, name, ((LocalObject *)op)->where);
    PyObject *text = parts == NULL ? NULL : PyUnicode_Format(ctxcore_MISSING, parts);
    PyObject *args = text == NULL ? NULL : PyTuple_Pack(1, text);
    PyObject *kwargs = args == NULL ? NULL : Py_BuildValue("{sOsO}", "name", name, "obj", op);
    PyObject *error = kwargs == NULL ? NULL : PyObject_Call(PyExc_AttributeError, args, kwargs);
    if (error != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(error), error);
    }
    Py_XDECREF(type_name);
    Py_XDECREF(parts);
    Py_XDECREF(text);
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
    Py_XDECREF(error);
}

static PyObject *
local_getattro(PyObject *op, PyObject *name)
{
    LocalObject *self = (LocalObject *)op;
    if (self->empty == NULL) {
        return PyObject_GenericGetAttr(op, name);  /* not bound yet (in make_local) */
    }
    PyObject *published = local_published(self);
    if (published == NULL && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *storage = storage_of(published);
    if (storage != NULL) {
        PyObject *value = PyDict_GetItemWithError(storage, name);
        if (value != NULL || PyErr_Occurred()) {
            Py_XINCREF(value);
            Py_DECREF(published);
            return value;
        }
    }
    Py_XDECREF(published);
    /* Not stored: a class attribute (methods, dunders, a subclass's defaults)... */
    PyObject *attr = PyObject_GenericGetAttr(op, name);
    if (attr == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        local_missing(op, name);  /* ...or the error naming the ident source */
    }
    return attr;
}

/* Make `storage` the current ident's, under a new bound __getitem__: 0, or -1. */
static int
local_publish(LocalObject *self, PyObject *storage)
{
    PyObject *fresh = Py_TYPE(ctxcore_DICT_GETITEM)->tp_descr_get(
        ctxcore_DICT_GETITEM, storage, (PyObject *)Py_TYPE(storage));
    if (fresh == NULL) {
        return -1;
    }
    int rc;
    if (self->source == SOURCE_CONTEXT) {
        /* The token holds the old value: dropped at once, or it would count as a sharer. */
        PyObject *token = PyContextVar_Set(self->var, fresh);
        Py_XDECREF(token);
        rc = token == NULL ? -1 : 0;
    }
    else {
        rc = call_dropped(self->set, fresh);
    }
    Py_DECREF(fresh);
    return rc;
}

/* A new storage of the same class holding `storage`'s items, tracked (new reference). */
static PyObject *
local_copy(LocalObject *self, PyObject *storage)
{
    PyObject *copy = PyObject_CallNoArgs((PyObject *)Py_TYPE(storage));
    if (copy == NULL || PyDict_Update(copy, storage) < 0 || self->tracker == Py_None) {
        return copy == NULL || PyErr_Occurred() ? (Py_XDECREF(copy), NULL) : copy;
    }
    PyObject *refs = PyObject_GetAttrString(self->tracker, "refs");
    PyObject *cap = refs == NULL ? NULL : PyObject_GetAttrString(self->tracker, "cap");
    PyObject *ref = cap == NULL ? NULL : PyWeakref_NewRef(copy, NULL);
    int rc = ref == NULL ? -1 : PyList_Append(refs, ref);
    if (rc == 0 && PyList_GET_SIZE(refs) > PyLong_AsSsize_t(cap)) {
        PyObject *done = PyObject_CallMethod(self->tracker, "prune", NULL);
        rc = done == NULL ? -1 : 0;
        Py_XDECREF(done);
    }
    Py_XDECREF(refs);
    Py_XDECREF(cap);
    Py_XDECREF(ref);
    if (rc < 0) {
        Py_CLEAR(copy);
    }
    return copy;
}

/* The storage this write or delete may change in place (new reference; takes the
 * caller's reference to `storage`): under "context" only when, republished, it is held
 * by that reference and the published method alone (_storage.PUBLISHED); else a copy,
 * published. NULL on error. */
static PyObject *
local_writable(LocalObject *self, PyObject *storage)
{
    if (storage != self->nothing && self->source != SOURCE_CONTEXT) {
        return storage;  /* threads and greenlets never share a storage */
    }
    if (storage != self->nothing) {
        if (local_publish(self, storage) < 0) {
            Py_DECREF(storage);
            return NULL;
        }
        if (Py_REFCNT(storage) == 1 + ctxcore_PUBLISHED) {
            return storage;
        }
    }
    PyObject *copy = local_copy(self, storage);
    Py_DECREF(storage);
    if (copy != NULL && local_publish(self, copy) < 0) {
        Py_CLEAR(copy);
    }
    return copy;
}

static int
local_setattro(PyObject *op, PyObject *name, PyObject *value)
{
    LocalObject *self = (LocalObject *)op;
    if (self->empty == NULL) {
        PyErr_SetString(PyExc_TypeError, "this Local is not initialised");
        return -1;
    }
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "attribute name must be string, not '%.100s'",
                     Py_TYPE(name)->tp_name);
        return -1;
    }
    PyObject *published = local_published(self);
    if (published == NULL && PyErr_Occurred()) {
        return -1;
    }
    PyObject *storage = storage_of(published);
    storage = Py_NewRef(storage == NULL ? self->nothing : storage);
    Py_XDECREF(published);  /* republishing must leave no other reference here */
    if (value == NULL) {
        int found = PyDict_Contains(storage, name);
        if (found == 0) {
            local_missing(op, name);
        }
        if (found <= 0) {
            Py_DECREF(storage);
            return -1;
        }
    }
    PyObject *target = local_writable(self, storage);
    if (target == NULL) {
        return -1;
    }
    int rc = value == NULL ? PyDict_DelItem(target, name) : PyDict_SetItem(target, name, value);
    Py_DECREF(target);
    return rc;
}

/* make_local(subclass, reach, set, tracker, empty, where): see Slot.reach for `reach`. */
PyObject *
ctxcore_make_local(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyTypeObject *subclass;
    PyObject *kind, *first, *second, *set, *tracker, *empty, *where;
    if (!PyArg_ParseTuple(args, "O!(UOO)OOOU:make_local", &PyType_Type, &subclass, &kind,
                          &first, &second, &set, &tracker, &empty, &where)) {
        return NULL;
    }
    const char *kinds[] = {"context", "greenlet", "thread", "reader"};
    int source = 0;
    while (source < 4 && PyUnicode_CompareWithASCIIString(kind, kinds[source]) != 0) {
        source++;
    }
    PyObject *nothing = storage_of(empty);
    if (!PyType_IsSubtype(subclass, &ctxcore_LocalBaseType) || source == 4 || nothing == NULL
        || (source == SOURCE_CONTEXT && !PyContextVar_CheckExact(first))
        || ((source == SOURCE_GREENLET || source == SOURCE_THREAD) && !PyUnicode_Check(second))) {
        PyErr_SetString(PyExc_TypeError, "make_local: arguments do not describe a Local");
        return NULL;
    }
    LocalObject *self = (LocalObject *)subclass->tp_alloc(subclass, 0);
    if (self == NULL) {
        return NULL;
    }
    self->source = source;
    PyObject **fields[] = {&self->var, &self->getcurrent, &self->holder, &self->reader};
    *fields[source] = Py_NewRef(first);
    self->key = Py_XNewRef(source == SOURCE_GREENLET || source == SOURCE_THREAD ? second : NULL);
    self->set = Py_NewRef(set);
    self->tracker = Py_NewRef(tracker);
    self->nothing = Py_NewRef(nothing);
    self->where = Py_NewRef(where);
    self->empty = Py_NewRef(empty);
    return (PyObject *)self;
}

/* Local(...): built by _local.new_local, which calls make_local for the instance. */
static PyObject *
local_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *full = PyTuple_New(PyTuple_GET_SIZE(args) + 1);
    if (full == NULL) {
        return NULL;
    }
    PyTuple_SET_ITEM(full, 0, Py_NewRef(type));
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(args); i++) {
        PyTuple_SET_ITEM(full, i + 1, Py_NewRef(PyTuple_GET_ITEM(args, i)));
    }
    PyObject *local = PyObject_Call(ctxcore_BUILD_LOCAL, full, kwargs);
    Py_DECREF(full);
    return local;
}

#define LOCAL_FIELDS(F) \
    F(var) F(getcurrent) F(holder) F(key) F(reader) F(set) F(tracker) F(nothing) F(where)

static int
local_traverse(PyObject *op, visitproc visit, void *arg)
{
    LocalObject *self = (LocalObject *)op;
#define VISIT(field) Py_VISIT(self->field);
    Py_VISIT(self->empty);
    LOCAL_FIELDS(VISIT)
    return 0;
}

static int
local_clear(PyObject *op)
{
    LocalObject *self = (LocalObject *)op;
    /* `empty` first: it marks the object bound, and clearing the others may run code
     * (finalizers, weakref callbacks) that touches this object. */
#define CLEAR(field) Py_CLEAR(self->field);
    Py_CLEAR(self->empty);
    LOCAL_FIELDS(CLEAR)
    return 0;
}

static void
local_dealloc(PyObject *op)
{
    LocalObject *self = (LocalObject *)op;
    PyObject_GC_UnTrack(op);
    if (self->weaklist != NULL) {
        PyObject_ClearWeakRefs(op);
    }
    local_clear(op);
    Py_TYPE(op)->tp_free(op);
}

PyTypeObject ctxcore_LocalBaseType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "ctxcore.local._c.LocalBase",
    .tp_basicsize = sizeof(LocalObject),
    .tp_dealloc = local_dealloc,
    .tp_getattro = local_getattro,
    .tp_setattro = local_setattro,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The C read and write paths of ctxcore's Local.",
    .tp_traverse = local_traverse,
    .tp_clear = local_clear,
    .tp_weaklistoffset = offsetof(LocalObject, weaklist),
    .tp_new = local_new,
};
