package console

import (
	"net/http"
	"strings"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

func init() {
	register(Page{
		Name:      "admins",
		Templates: []string{"admin"},
		Perm:      brands.PermBrandAdmin,
		Nav:       &NavEntry{Label: "nav.admins", Order: 910},
		Routes: []Route{
			{Method: http.MethodGet, Path: "/admins", Handle: listAdmins},
			{Method: http.MethodPost, Path: "/admins", Handle: createAdmin},
			{Method: http.MethodGet, Path: "/admins/:id", Handle: showAdmin},
			{Method: http.MethodPost, Path: "/admins/:id", Handle: updateAdmin},
		},
	})
}

var roles = []string{brands.RoleOwner, brands.RoleOperator, brands.RoleFinance}

type adminsData struct {
	Admins  []brands.Admin
	Roles   []string
	Problem string
	// The create form as typed, after a refusal (never the password).
	Username, Role string
}

func listAdmins(c *Ctx) error {
	return renderAdmins(c, http.StatusOK, adminsData{Role: brands.RoleOperator})
}

func renderAdmins(c *Ctx, status int, d adminsData) error {
	list, err := c.Deps.Brands.Admins(c.Context(), c.Admin.BrandID)
	if err != nil {
		return err
	}
	d.Admins, d.Roles = list, roles
	return c.Render(status, "admins.title", d)
}

func createAdmin(c *Ctx) error {
	in := brands.NewAdminInput{Username: strings.TrimSpace(c.G.PostForm("username")), Password: c.G.PostForm("password"),
		Role: c.G.PostForm("role")}
	_, err := c.Deps.Brands.CreateAdmin(c.Context(), c.Actor(), c.Admin.BrandID, in)
	if k := apperr.KindOf(err); err != nil && (k == apperr.Invalid || k == apperr.Conflict) {
		ae, _ := apperr.As(err)
		return renderAdmins(c, http.StatusBadRequest, adminsData{Problem: ae.Message, Username: in.Username, Role: in.Role})
	}
	if err != nil {
		return err
	}
	return c.Redirect(Prefix+"/admins", "flash.admin_created")
}

// findAdmin looks the admin up among the signed-in brand's admins only, so another brand's
// admin id answers 404 like any unknown id.
func findAdmin(c *Ctx, id string) (brands.Admin, error) {
	list, err := c.Deps.Brands.Admins(c.Context(), c.Admin.BrandID)
	if err != nil {
		return brands.Admin{}, err
	}
	for _, a := range list {
		if a.ID == id {
			return a, nil
		}
	}
	return brands.Admin{}, apperr.NotFoundf("no such admin")
}

type adminData struct {
	Admin   brands.Admin
	Roles   []string
	Self    bool
	Problem string
}

func showAdmin(c *Ctx) error {
	a, err := findAdmin(c, c.G.Param("id"))
	if err != nil {
		return err
	}
	return c.RenderTemplate(http.StatusOK, "admin", "admin.title", adminData{Admin: a, Roles: roles, Self: a.ID == c.Admin.AdminID})
}

// updateAdmin changes a role or enables/disables an admin; brands.Service keeps the last
// owner and revokes a disabled admin's sessions.
func updateAdmin(c *Ctx) error {
	id := c.G.Param("id")
	var ch brands.AdminChange
	if r, ok := c.G.GetPostForm("role"); ok {
		ch.Role = &r
	}
	switch c.G.PostForm("disabled") {
	case "1":
		t := true
		ch.Disabled = &t
	case "0":
		f := false
		ch.Disabled = &f
	}
	_, err := c.Deps.Brands.UpdateAdmin(c.Context(), c.Actor(), c.Admin.BrandID, id, ch)
	if k := apperr.KindOf(err); err != nil && (k == apperr.Invalid || k == apperr.Rule) {
		a, ferr := findAdmin(c, id)
		if ferr != nil {
			return ferr
		}
		ae, _ := apperr.As(err)
		return c.RenderTemplate(http.StatusUnprocessableEntity, "admin", "admin.title", adminData{Admin: a, Roles: roles, Self: a.ID == c.Admin.AdminID, Problem: ae.Message})
	}
	if err != nil {
		return err
	}
	return c.Redirect(Prefix+"/admins", "flash.admin_updated")
}
