"""The JSON API (Flask-RESTX, under /api): products for everyone (cached), orders for the
holder of a token (Flask-JWT-Extended), errors as JSON. It authenticates with tokens, not
cookies, so its views are exempt from the forms' CSRF check."""

from flask_jwt_extended import create_access_token, get_jwt_identity, jwt_required
from flask_restx import Api, Namespace, Resource, fields

from .extensions import cache, csrf, db
from .models import Order, Product, User

api = Api(title="Shop API", prefix="/api", doc=False, decorators=[csrf.exempt])

products = Namespace("products")
orders = Namespace("orders")
tokens = Namespace("token")
api.add_namespace(products)
api.add_namespace(orders)
api.add_namespace(tokens)

product_model = products.model(
    "Product", {"id": fields.Integer, "name": fields.String, "price_cents": fields.Integer}
)
order_in = orders.model(
    "NewOrder",
    {
        "product_id": fields.Integer(required=True),
        "quantity": fields.Integer(required=True, min=1, max=99),
    },
)
order_out = orders.model(
    "Order", {"id": fields.Integer, "product": fields.String, "quantity": fields.Integer}
)
credentials = tokens.model(
    "Credentials",
    {"username": fields.String(required=True), "password": fields.String(required=True)},
)


@products.route("/")
class ProductList(Resource):
    @cache.cached(timeout=30)
    @products.marshal_list_with(product_model)
    def get(self):
        return db.session.scalars(db.select(Product).order_by(Product.id)).all()


@products.route("/<int:product_id>")
class ProductItem(Resource):
    @products.marshal_with(product_model)
    def get(self, product_id):
        product = db.session.get(Product, product_id)
        if product is None:
            api.abort(404, f"No product {product_id}.")
        return product


@tokens.route("/")
class Token(Resource):
    @tokens.expect(credentials, validate=True)
    def post(self):
        data = api.payload
        user = db.session.execute(
            db.select(User).filter_by(username=data["username"])
        ).scalar_one_or_none()
        if user is None or not user.check_password(data["password"]):
            api.abort(401, "Wrong username or password.")
        return {"access_token": create_access_token(identity=str(user.id))}


@orders.route("/")
class OrderList(Resource):
    @jwt_required()
    @orders.marshal_list_with(order_out)
    def get(self):
        user_id = int(get_jwt_identity())
        mine = db.session.scalars(db.select(Order).filter_by(user_id=user_id).order_by(Order.id))
        return [order.to_dict() for order in mine]

    @jwt_required()
    @orders.expect(order_in, validate=True)
    @orders.marshal_with(order_out, code=201)
    def post(self):
        data = api.payload
        if db.session.get(Product, data["product_id"]) is None:
            api.abort(404, f"No product {data['product_id']}.")
        order = Order(
            user_id=int(get_jwt_identity()),
            product_id=data["product_id"],
            quantity=data["quantity"],
        )
        db.session.add(order)
        db.session.commit()
        return order.to_dict(), 201
