// A vase of flowers on a table, very pale washes.
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#ffffff');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fill('#f0d0d8', 25);
  brush.fillBleed(0.4);
  brush.circle(-20, -90, 30);
  brush.circle(25, -100, 26);
  brush.fill('#d8e8f0', 20);
  brush.rect(-30, -40, 60, 110);
  brush.noFill();
  brush.set('2H', '#dddddd', 0.5);
  brush.line(-120, 75, 120, 75);
}
