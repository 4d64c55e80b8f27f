package upstream

import "context"

// User mirrors the spec's User: who a token is.
type User struct {
	Object      string   `json:"object"`
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	Email       *string  `json:"email,omitempty"`
	PhotoURL    *string  `json:"photoURL,omitempty"`
	URLs        UserURLs `json:"urls"`
}

// UserURLs is User.urls.
type UserURLs struct {
	Location string `json:"location"`
}

func (u *User) validate() error {
	var r required
	r.str("id", u.ID)
	return r.err("a user")
}

// GetAuthenticatedUser calls getAuthenticatedUser: the user the caller's
// token stands for.
func (c *Client) GetAuthenticatedUser(ctx context.Context) (*User, error) {
	const op = "getAuthenticatedUser"
	u, err := get[User](c, ctx, op, c.path("user"), nil)
	if err != nil {
		return nil, err
	}
	if err := u.validate(); err != nil {
		return nil, badResponse(op, err)
	}
	return u, nil
}
