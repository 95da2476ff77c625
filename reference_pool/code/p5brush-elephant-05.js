// A geometric teal elephant built from faceted triangles on a pale aqua ground, stylised watercolour.
function ell(cx, cy, rx, ry, rot) {
  const pts = [];
  for (let a = 0; a < 360; a += 12) {
    const x = rx * cos(a), y = ry * sin(a);
    pts.push([cx + x * cos(rot) - y * sin(rot), cy + x * sin(rot) + y * cos(rot)]);
  }
  return pts;
}
function band(pts, w0, w1) {
  const L = [], R = [];
  for (let i = 0; i < pts.length; i++) {
    const a = pts[max(0, i - 1)], b = pts[min(pts.length - 1, i + 1)];
    let tx = b[0] - a[0], ty = b[1] - a[1];
    const m = sqrt(tx * tx + ty * ty);
    tx /= m; ty /= m;
    const w = lerp(w0, w1, i / (pts.length - 1)) / 2;
    L.push([pts[i][0] - ty * w, pts[i][1] + tx * w]);
    R.push([pts[i][0] + ty * w, pts[i][1] - tx * w]);
  }
  return L.concat(R.reverse());
}
function paint(pts, col, op, under) {
  brush.wash(col, under);
  brush.fill(col, op);
  brush.polygon(pts);
  brush.noWash();
}
function leg(x0, x1, top, bottom, col) {
  paint([[x0, top], [x1, top], [x1 - 2, bottom - 10], [x1 + 4, bottom], [x0 - 4, bottom], [x0 + 2, bottom - 10]], col, 225, 160);
}
function elephant(x, y, s, body, dark, flip) {
  push();
  translate(x, y);
  scale(flip ? -s : s, s);
  // far legs (darker), then near legs
  leg(-62, -28, 30, 150, dark);
  leg(78, 110, 30, 150, dark);
  paint(ell(0, 0, 130, 86, 0), body, 228, 165);
  leg(-118, -76, 30, 162, body);
  leg(24, 66, 30, 162, body);
  // head and trunk
  paint(ell(125, -28, 62, 64, 0), body, 228, 165);
  paint(band([[162, -5], [188, 40], [192, 100], [182, 140], [198, 154]], 42, 16), body, 228, 165);
  // ear
  paint(ell(98, -18, 42, 60, 8), dark, 215, 145);
  pop();
}
function elephantDetails(x, y, s, ink, flip) {
  push();
  translate(x, y);
  scale(flip ? -s : s, s);
  brush.noStroke();
  paint(band([[150, 18], [172, 34], [198, 30]], 11, 4), '#efe6d2', 240, 220);
  brush.wash('#141210', 250);
  brush.circle(150, -42, 4);
  brush.noWash();
  brush.noFill();
  brush.set('2B', ink, 1.5);
  brush.spline([[-128, -5], [-150, 40], [-142, 72]], 0.5);
  brush.spline([[-100, -60], [-20, -88], [80, -70]], 0.5);
  for (let k = 0; k < 3; k++) brush.line(178, 60 + k * 28, 190, 62 + k * 28);
  pop();
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef4f2');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.35);
  brush.fillTexture(0.5, 0.2);
  brush.fill('#cfe8e4', 150);
  brush.rect(-256, 120, 512, 136);
  brush.fillBleed(0.06);
  brush.fillTexture(0.4, 0.3, false);
  const T = [
    [[-150, -20], [-60, -100], [-40, 20], '#2a8c8a'],
    [[-60, -100], [60, -95], [-40, 20], '#3aa3a0'],
    [[60, -95], [40, 40], [-40, 20], '#217575'],
    [[-150, -20], [-40, 20], [-120, 60], '#1f6b6a'],
    [[-40, 20], [40, 40], [-120, 60], '#2f9794'],
    [[60, -95], [130, -60], [40, 40], '#48b5ae'],
    [[130, -60], [160, 20], [40, 40], '#2a8c8a'],
    [[130, -60], [185, -40], [160, 20], '#1f6b6a'],
    [[160, 20], [185, -40], [200, 140], '#3aa3a0'],
    [[200, 140], [215, 150], [185, 20], '#217575'],
    [[75, -70], [120, 10], [70, 40], '#5fc4bc'],
    [[-120, 50], [-85, 50], [-95, 155], '#217575'],
    [[-120, 50], [-95, 155], [-128, 155], '#2a8c8a'],
    [[-40, 25], [-5, 30], [-15, 155], '#1f6b6a'],
    [[5, 35], [40, 40], [30, 155], '#2a8c8a'],
    [[-60, 30], [-30, 30], [-45, 150], '#48b5ae']
  ];
  for (const t of T) paint([t[0], t[1], t[2]], t[3], 225, 160);
  // eye, tusk, tail
  brush.wash('#0f2a2a', 250);
  brush.circle(150, -30, 4);
  brush.noWash();
  paint([[165, 0], [205, 10], [168, 10]], '#f4efe2', 235, 210);
  brush.noFill();
  brush.set('rotring', '#164f4e', 1.4);
  brush.spline([[-148, -15], [-165, 30], [-158, 60]], 0.5);
  brush.line(-220, 158, 230, 158);
}
